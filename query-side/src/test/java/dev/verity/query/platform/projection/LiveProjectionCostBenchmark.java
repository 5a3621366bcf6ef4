package dev.verity.query.platform.projection;

import com.sun.management.OperatingSystemMXBean;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * What the live projections cost per event on this node: PostgreSQL statements and commits, and
 * CPU of this JVM (the query side's, less the test thread's own appending). Figures, not
 * assertions: run alone with {@code -Dtest=LiveProjectionCostBenchmark}. Statements are counted by
 * {@code pg_stat_statements} when the test database has it (a scratch server started with
 * {@code shared_preload_libraries=pg_stat_statements}); commits by {@code pg_stat_database}, for the
 * whole database, the command side's appends included.
 * <p>
 * By default events are appended while the processors run, one at a time, so each batch holds
 * the few events that arrived since the last: the cost of keeping up with a trickle. With
 * {@code -Dverity.bench.backlog=true} the processors are shut down while the events are appended
 * and started after, so they work through a backlog in full batches, as they do once a burst has
 * put them behind; CPU and statements are then counted from the start, appends left out.
 */
class LiveProjectionCostBenchmark extends QuerySideTest {

    private static final int EVENTS = Integer.getInteger("verity.bench.events", 3000);
    private static final int TENANTS = 10;
    private static final boolean BACKLOG = Boolean.getBoolean("verity.bench.backlog");

    @Autowired
    private EventProcessingConfiguration processing;

    @Test
    void printsStatementsCommitsAndCpuPerEvent() {
        List<UUID> tenants = IntStream.range(0, TENANTS).mapToObj(i -> UUID.randomUUID()).toList();
        awaitHead();
        if (BACKLOG) {
            streamingProcessors().forEach(StreamingEventProcessor::shutDown);
            append(tenants);
        }
        boolean statements = resetStatements();
        long commits = commits();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = os.getProcessCpuTime();
        long appendCpu = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();

        if (BACKLOG) {
            streamingProcessors().forEach(StreamingEventProcessor::start);
        } else {
            append(tenants);
        }
        appendCpu = threads.getCurrentThreadCpuTime() - appendCpu;
        awaitHead();

        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuMs = (os.getProcessCpuTime() - cpu - appendCpu) / 1e6;
        long committed = commits() - commits;
        System.out.printf("%n== live projections, %d TaskCreated over %d tenants %s in %.1f s (load average %.2f) ==%n",
                          EVENTS, TENANTS, BACKLOG ? "from a backlog" : "as they are appended", seconds,
                          os.getSystemLoadAverage());
        System.out.printf("query-side CPU  %.3f ms per event (the appending thread's %.0f ms left out)%n",
                          cpuMs / EVENTS, appendCpu / 1e6);
        System.out.printf("commits         %.3f per event (the database's%s)%n", (double) committed / EVENTS,
                          BACKLOG ? "" : ", the " + EVENTS + " appends included");
        if (statements) {
            // Spring names each savepoint after its depth (SAVEPOINT_1, _2, ...): counted as one statement.
            List<Map<String, Object>> rows = owner.queryForList("""
                    SELECT sum(calls) AS calls, left(regexp_replace(regexp_replace(query, '\\s+', ' ', 'g'),
                                                     'SAVEPOINT_[0-9]+', 'SAVEPOINT_n', 'g'), 110) AS query
                      FROM pg_stat_statements
                     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                     GROUP BY 2 ORDER BY 1 DESC""");
            long total = rows.stream().mapToLong(row -> ((Number) row.get("calls")).longValue()).sum();
            System.out.printf("statements      %.2f per event%s%n", (double) total / EVENTS,
                              BACKLOG ? "" : " (appends included)");
            rows.stream().limit(25).forEach(row -> System.out.printf(
                    "  %8.3f  %s%n", ((Number) row.get("calls")).doubleValue() / EVENTS, row.get("query")));
        }
    }

    private void append(List<UUID> tenants) {
        for (int i = 0; i < EVENTS; i++) {
            UUID tenant = tenants.get(i % TENANTS);
            eventStreams.append(tenant, TaskEvents.created(UUID.randomUUID(), tenant, UUID.randomUUID()));
        }
    }

    private Stream<StreamingEventProcessor> streamingProcessors() {
        return processing.eventProcessors().values().stream()
                         .filter(StreamingEventProcessor.class::isInstance)
                         .map(StreamingEventProcessor.class::cast);
    }

    /** Every streaming processor's every segment is at the event store's head. */
    private void awaitHead() {
        long head = owner.queryForObject("SELECT coalesce(max(global_index), 0) FROM event_store.domain_event_entry",
                                         Long.class);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(
                () -> streamingProcessors().filter(StreamingEventProcessor::isRunning)
                                .allMatch(processor -> !processor.processingStatus().isEmpty()
                                                       && processor.processingStatus().values().stream()
                                                                   .allMatch(status -> atLeast(status, head))));
    }

    private static boolean atLeast(EventTrackerStatus status, long head) {
        return status.getCurrentPosition().orElse(0) >= head;
    }

    private boolean resetStatements() {
        try {
            owner.queryForList("SELECT pg_stat_statements_reset()");
            return true;
        } catch (RuntimeException e) {
            System.out.println("no pg_stat_statements here: statements not counted (" + e.getMessage() + ")");
            return false;
        }
    }

    private long commits() {
        owner.queryForList("SELECT pg_stat_clear_snapshot()");
        return owner.queryForObject("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
                                    Long.class);
    }
}
