package dev.verity.query.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * What a client sees while a wrk burst runs: one thread creates a record (a task, an execution)
 * and times until the query API shows it (freshness), another reads an existing one over and
 * over (read latency). Each burst that is compared carries the same probes, so their extra reads
 * weigh on every slice alike. Each
 * pauses 10 ms between samples so the probes add little load of their own. A freshness sample
 * still waiting when the burst ends counts with the time waited so far (a lower bound) when that
 * is already over the 100 ms goal; a shorter unfinished wait says nothing and is dropped.
 */
final class BurstProbes {

    private static final long PAUSE_MILLIS = 10;
    private static final long CENSORED_FLOOR_NANOS = 100_000_000L;

    /** The records a burst creates, as the probes create and read them. */
    interface Subject {

        /** Creates one through the command API; its id. */
        String create() throws Exception;

        /** The query API's status for it: 200 once it is visible. */
        int read(String id) throws Exception;
    }

    private final Subject subject;
    private final String existingId;
    private final long burstNanos;
    private final Latencies freshness = new Latencies();
    private final Latencies freshnessFirstHalf = new Latencies();
    private final Latencies freshnessSecondHalf = new Latencies();
    private final Latencies reads = new Latencies();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private volatile Exception failure;
    private long started;

    record Figures(Latencies freshness, Latencies freshnessFirstHalf, Latencies freshnessSecondHalf,
                   Latencies reads) {
    }

    BurstProbes(Subject subject, String existingId, int burstSeconds) {
        this.subject = subject;
        this.existingId = existingId;
        this.burstNanos = burstSeconds * 1_000_000_000L;
    }

    void start() {
        started = System.nanoTime();
        threads.add(new Thread(() -> guarded(this::probeFreshness), "probe-freshness"));
        threads.add(new Thread(() -> guarded(this::probeReads), "probe-reads"));
        threads.forEach(Thread::start);
    }

    Figures stop() throws Exception {
        running = false;
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure != null) {
            throw failure;
        }
        return new Figures(freshness, freshnessFirstHalf, freshnessSecondHalf, reads);
    }

    private interface Probe {
        void run() throws Exception;
    }

    private void guarded(Probe probe) {
        try {
            probe.run();
        } catch (Exception e) {
            failure = e;
        }
    }

    private void probeFreshness() throws Exception {
        while (running) {
            String id = subject.create();
            long acknowledged = System.nanoTime();
            boolean visible = false;
            while (running && !(visible = subject.read(id) == 200)) {
                Thread.sleep(1);
            }
            long lag = System.nanoTime() - acknowledged;
            if (!visible && lag < CENSORED_FLOOR_NANOS) {
                break;
            }
            freshness.add(lag);
            (acknowledged - started < burstNanos / 2 ? freshnessFirstHalf : freshnessSecondHalf).add(lag);
            Thread.sleep(PAUSE_MILLIS);
        }
    }

    private void probeReads() throws Exception {
        while (running) {
            long start = System.nanoTime();
            int status = subject.read(existingId);
            reads.add(System.nanoTime() - start);
            if (status != 200) {
                throw new IllegalStateException("GET of an existing record answered " + status);
            }
            Thread.sleep(PAUSE_MILLIS);
        }
    }
}
