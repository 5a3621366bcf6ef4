package dev.verity.query.e2e;

import java.util.Map;

/** One system the platform benchmark drives: how wrk reaches it and how its state is read. */
interface BenchSystem extends AutoCloseable {

    /** Full replay of the tasks read model: events replayed and the seconds it took. */
    record Replay(long events, double seconds) {

        double eventsPerSecond() {
            return events / seconds;
        }
    }

    /** Root URL (scheme, host, port) the wrk scripts address. */
    String root();

    /** Path of the create-task endpoint; the lifecycle steps are {@code <path>/<id>/<step>}. */
    String tasksPath();

    /** Lifecycle steps after the create, comma-separated, as lifecycle.lua reads them. */
    String lifecycleSteps();

    /** Environment for the wrk scripts: TOKEN, PROJECT. */
    Map<String, String> wrkEnvironment();

    /** Creates one task and returns its id, once the command is acknowledged. */
    String createTask() throws Exception;

    /** HTTP status of reading one task from the read model. */
    int readTask(String id) throws Exception;

    /** Events stored that the tasks read model has not applied yet. */
    long behind() throws Exception;

    /** Rebuilds the tasks read model from all stored events and waits until it is done. */
    Replay replay() throws Exception;

    /** Each process by name (for its resident memory). */
    Map<String, Long> pids();

    @Override
    void close() throws Exception;
}
