package dev.verity.query.admin.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.projection.Projections;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A repeatable measurement of a full rebuild of the tasks projection, printing figures and
 * asserting nothing about speed: stores {@code verity.bench.replay.tasks} tasks (default 12,500)
 * with a create, assign, start and complete each, in the interleaving 32 clients would give them,
 * then times the parts of a rebuild separately (reading and deserializing the store alone, making
 * the shadow tables) and the rebuild as the benchmark times it, with the JVM's and the machine's
 * CPU time beside it, also net of what the same time costs idle (the live processors poll);
 * {@code verity.bench.replay.tasks=0} replays what an earlier run stored.
 * Rebuilds replay in batches of {@code verity.bench.replay.batch-size} events (read by
 * {@link QuerySideTest}; default the tests' 200, the application's own setting is 2,000).
 * Skipped unless {@code -Dverity.bench.replay=true}; run with
 * {@code -DargLine=-XX:StartFlightRecording=filename=...} for a profile.
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "verity.bench.replay", matches = "true")
class RebuildBenchmark extends QuerySideTest {

    private static final int CLIENTS = 32;

    @Autowired
    private EventStorageEngine storage;

    @Autowired
    private ProjectionOperationsProperties properties;

    @Autowired
    private Rebuilds rebuilds;

    @Autowired
    private Projections projections;

    @Autowired
    private ShadowTables shadowTables;

    @Test
    void rebuildOfTheTasksProjection_printsItsFigures() throws Exception {
        int tasks = Integer.getInteger("verity.bench.replay.tasks", 12_500);
        UUID tenant = UUID.randomUUID();
        long stored = tasks == 0 ? 0 : store(tenant, tasks);
        long head = owner.queryForObject("SELECT coalesce(max(global_index), 0) FROM event_store.domain_event_entry",
                                         Long.class);
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.tasks WHERE tenant_id = ? AND status = 'completed'", Long.class,
                tenant) == tasks);
        print("stored %,d task events (%,d in the store, head %,d); the live projection caught up; "
              + "replay batches of %,d", stored,
              owner.queryForObject("SELECT count(*) FROM event_store.domain_event_entry", Long.class), head,
              properties.replayBatchSize());

        long readStart = System.nanoTime();
        long read = 0;
        try (Stream<? extends TrackedEventMessage<?>> events = storage.readEvents(null, false)) {
            Iterator<? extends TrackedEventMessage<?>> iterator = events.iterator();
            while (iterator.hasNext()) {
                iterator.next().getPayload();
                read++;
            }
        }
        report("read and deserialize the store", read, System.nanoTime() - readStart);

        var definition = projections.find("tasks").orElseThrow();
        long shadowStart = System.nanoTime();
        shadowTables.create("bench_shadow", definition.tables());
        report("make empty shadow tables", 0, System.nanoTime() - shadowStart);
        shadowTables.drop("bench_shadow");

        // What the live processors' polling costs with nothing to do, to tell the rebuild's own CPU apart.
        Cpu idleBefore = cpu();
        long idleStart = System.nanoTime();
        Thread.sleep(5_000);
        long idleNanos = System.nanoTime() - idleStart;
        Cpu idleAfter = cpu();
        double idleJvm = (idleAfter.jvm - idleBefore.jvm) / (double) idleNanos;
        double idlePostgres = (idleAfter.postgres - idleBefore.postgres) / (double) idleNanos;
        print("idle for %.1f s: JVM %.0f ms/s, PostgreSQL backends %.0f ms/s of CPU; load %s", idleNanos / 1e9,
              idleJvm * 1e3, idlePostgres * 1e3, load());

        for (int run = 1; run <= Integer.getInteger("verity.bench.replay.runs", 2); run++) {
            long measuredFrom = System.nanoTime();
            Cpu before = cpu();
            RebuildProgress progress = rebuilds.start(definition);
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
                   .until(() -> !progress.state().active());
            Cpu after = cpu();
            long measured = System.nanoTime() - measuredFrom;
            RebuildProgress.Status status = progress.status();
            long nanos = Duration.between(status.startedAt(), status.finishedAt()).toNanos();
            print("rebuild %d: %s, %,d events in %.2f s = %,.0f events/s (startedAt..finishedAt); "
                  + "CPU per event: JVM %.1f us, PostgreSQL backends %.1f us; load %s", run, status.state(),
                  status.eventsReplayed(), nanos / 1e9, status.eventsReplayed() / (nanos / 1e9),
                  (after.jvm - before.jvm) / 1e3 / status.eventsReplayed(),
                  (after.postgres - before.postgres) / 1e3 / status.eventsReplayed(), load());
            print("rebuild %d net of idle: CPU per event: JVM %.1f us, PostgreSQL backends %.1f us", run,
                  (after.jvm - before.jvm - idleJvm * measured) / 1e3 / status.eventsReplayed(),
                  (after.postgres - before.postgres - idlePostgres * measured) / 1e3 / status.eventsReplayed());
            if (status.error() != null) {
                print("error: %s", status.error());
            }
        }
    }

    /** Appends in the order 32 clients running create, assign, start, complete would leave. */
    private long store(UUID tenant, int tasks) {
        UUID project = UUID.randomUUID();
        MetaData metaData = EventStreams.metaData(tenant);
        List<GenericDomainEventMessage<TaskEvent>> pending = new ArrayList<>();
        long stored = 0;
        long millis = System.currentTimeMillis();
        for (int first = 0; first < tasks; first += CLIENTS) {
            List<UUID> ids = new ArrayList<>();
            for (int i = first; i < Math.min(tasks, first + CLIENTS); i++) {
                ids.add(UuidV7.generate());
            }
            for (int step = 0; step < 4; step++) {
                for (UUID id : ids) {
                    TaskEvent event = switch (step) {
                        case 0 -> TaskEvents.created(id, tenant, project);
                        case 1 -> new TaskAssigned(id, AssigneeType.USER, "bob");
                        case 2 -> new TaskStarted(id);
                        default -> new TaskCompleted(id, "done", "bob");
                    };
                    pending.add(new GenericDomainEventMessage<>("Task", id.toString(), step, event, metaData,
                                                                UUID.randomUUID().toString(),
                                                                Instant.ofEpochMilli(millis++)));
                }
            }
            if (pending.size() >= 1_000) {
                storage.appendEvents(pending);
                stored += pending.size();
                pending.clear();
            }
        }
        storage.appendEvents(pending);
        return stored + pending.size();
    }

    private static void report(String what, long events, long nanos) {
        print("%s: %,d events in %.2f s%s, load %s", what, events, nanos / 1e9,
              events == 0 ? "" : String.format(" = %,.0f events/s", events / (nanos / 1e9)), load());
    }

    private static void print(String format, Object... arguments) {
        System.out.println("[replay-bench] " + String.format(format, arguments));
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }

    /** This JVM's CPU time and that of the PostgreSQL backends serving this database, in nanoseconds. */
    private record Cpu(long jvm, long postgres) {
    }

    private Cpu cpu() throws Exception {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long ticks = 0;
        for (Integer pid : owner.queryForList(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()", Integer.class)) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (Files.exists(stat)) {
                String[] fields = Files.readString(stat).substring(Files.readString(stat).lastIndexOf(')') + 2)
                                       .split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
        }
        return new Cpu(jvm, ticks * 10_000_000L);
    }
}
