package dev.verity.query.admin;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.ConcurrentWriters;
import dev.verity.query.ProbeProjection;
import dev.verity.query.ProbeProjection.Hold;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Zero-downtime rebuilds: the swap under load, failures and cancellation that leave the live tables alone. */
class ProjectionRebuildTest extends AdminApiTest {

    private static final List<String> TASK_TABLES =
            List.of("tasks", "task_actions", "task_targets", "action_submissions", "task_activity", "steps");

    private final UUID project = UUID.randomUUID();

    @Autowired
    private EventProcessingConfiguration processing;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @AfterEach
    void resetProbe() {
        ProbeProjection.reset();
        owner.execute("DROP VIEW IF EXISTS read_model.probe_task_titles");
    }

    @Test
    void rebuild_swapsInTablesHoldingEveryEvent_whileConcurrentWritersCommitOutOfOrder() throws Exception {
        Writer writer = new Writer();
        for (int i = 0; i < 100; i++) {
            writer.createTask();
        }
        List<String> indexesBefore = indexes("tasks");
        UUID readMe = writer.tasks.get(0);
        awaitTaskVersion(readMe, writer.versions.get(readMe));
        Reader reader = new Reader(readMe);
        Thread thread = new Thread(writer, "test-event-writer");
        Thread readerThread = new Thread(reader, "test-reader");
        ConcurrentWriters writers = new ConcurrentWriters(eventStreams, transactionManager, tenant, project);
        thread.start();
        readerThread.start();
        writers.start(40, Duration.ofMillis(20));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.appended.get() >= 10 && writers.appended() >= 50);
            long appendedBefore = writer.appended.get();

            Response accepted = api().post("/api/v1/admin/projections/tasks/rebuild", operator());

            assertThat(accepted.status()).isEqualTo(202);
            assertThat(accepted.location()).isEqualTo("/api/v1/admin/projections/tasks");
            assertThat(accepted.body().get("state").asString()).isEqualTo("rebuilding");
            assertThat(accepted.body().get("rebuild").get("state").asString()).isIn(ACTIVE);
            JsonNode finished = awaitRebuildFinished("tasks");
            long appendedDuring = writer.appended.get() - appendedBefore;
            long appendedAtSwap = writer.appended.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.appended.get() >= appendedAtSwap + 10);

            JsonNode rebuild = finished.get("rebuild");
            assertThat(rebuild.get("state").asString()).as("%s", finished).isEqualTo("done");
            assertThat(rebuild.get("percentDone").asDouble()).isEqualTo(100.0);
            assertThat(rebuild.get("estimatedSecondsLeft").asLong()).isZero();
            assertThat(rebuild.get("eventsReplayed").asLong()).isPositive();
            assertThat(rebuild.get("startedAt").isNull()).isFalse();
            assertThat(rebuild.get("finishedAt").isNull()).isFalse();
            assertThat(rebuild.get("error").isNull()).isTrue();
            assertThat(finished.get("state").asString()).isIn("running", "failing");
            assertThat(appendedDuring).as("events appended while the rebuild ran").isPositive();
        } finally {
            writer.stop = true;
            reader.stop = true;
            thread.join();
            readerThread.join();
            writers.stop();
        }
        assertThat(writer.failure).isNull();
        assertThat(reader.reads.get()).isPositive();
        assertThat(reader.failures).as("reads while the tables were rebuilt and swapped").isEmpty();

        Map<UUID, Long> expected = new HashMap<>(writer.versions);
        expected.putAll(writers.versions());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
               .until(() -> liveVersions().equals(expected));
        JsonNode verification = api().post("/api/v1/admin/verify", operator()).body();
        for (JsonNode table : verification.get("tables")) {
            if (TASK_TABLES.contains(table.get("table").asString())) {
                assertThat(table.get("ok").asBoolean()).as("%s", table).isTrue();
            }
        }
        assertEventLogHoldsEachEventsOwnPosition();
        JsonNode tenantVerification = api().post("/api/v1/audit/verify", token("audit")).body();
        assertThat(tenantVerification.get("ok").asBoolean()).as("%s", tenantVerification).isTrue();
        assertThat(indexes("tasks")).isEqualTo(indexesBefore);
        assertSwappedTableIsIsolatedPerTenant();
        assertThat(owner.queryForList("SELECT convert_from(token, 'UTF8') FROM event_store.token_entry"
                                      + " WHERE processor_name = 'tasks'", String.class))
                .isNotEmpty()
                .allSatisfy(token -> assertThat(token).matches("\\{\"index\":\\d+,\"gaps\":\\[[0-9,]*]}"));
        assertThat(schemaExists("rebuild_tasks")).isFalse();
    }

    @Test
    void status_showsProgressWhileRebuilding_andCancelLeavesLiveTablesUntouched() throws Exception {
        for (int i = 0; i < 60; i++) {
            eventStreams.append(tenant, TaskEvents.created(UuidV7.generate(), tenant, project));
        }
        UUID held = probeTask();
        await().atMost(Duration.ofSeconds(15)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.probe_tasks WHERE tenant_id = ?", Long.class, tenant) == 61);
        String before = dump(ProbeProjection.TABLE);
        Hold hold = ProbeProjection.holdOn(held);
        try {
            Response accepted = api().post("/api/v1/admin/projections/probe/rebuild", operator());
            assertThat(accepted.status()).isEqualTo(202);
            assertThat(hold.awaitEntered(Duration.ofSeconds(30))).isTrue();

            JsonNode during = status(ProbeProjection.NAME);
            assertThat(during.get("state").asString()).isEqualTo("rebuilding");
            JsonNode rebuild = during.get("rebuild");
            assertThat(rebuild.get("state").asString()).isEqualTo("replaying");
            assertThat(rebuild.get("eventsReplayed").asLong()).isPositive();
            assertThat(rebuild.get("position").asLong()).isPositive().isLessThan(rebuild.get("head").asLong());
            assertThat(rebuild.get("percentDone").asDouble()).isGreaterThan(0.0).isLessThan(100.0);
            assertThat(rebuild.get("eventsPerSecond").asDouble()).isPositive();
            assertThat(rebuild.get("estimatedSecondsLeft").asLong()).isNotNegative();
            assertThat(rebuild.get("startedAt").isNull()).isFalse();
            assertThat(rebuild.get("finishedAt").isNull()).isTrue();
            assertThat(schemaExists("rebuild_probe")).isTrue();

            assertProblem(api().post("/api/v1/admin/projections/tasks/rebuild", operator()), 409, "rebuild_in_progress");
            assertProblem(api().post("/api/v1/admin/projections/probe/rebuild", operator()), 409, "rebuild_in_progress");
            assertProblem(api().post("/api/v1/admin/verify", operator()), 409, "rebuild_in_progress");

            Response cancelling = api().delete("/api/v1/admin/projections/probe/rebuild", operator());
            assertThat(cancelling.status()).isEqualTo(202);
            assertThat(cancelling.location()).isEqualTo("/api/v1/admin/projections/probe");
            assertThat(cancelling.body().get("rebuild").get("cancelRequested").asBoolean()).isTrue();
        } finally {
            hold.release();
        }

        JsonNode finished = awaitRebuildFinished(ProbeProjection.NAME);
        assertThat(finished.get("rebuild").get("state").asString()).isEqualTo("cancelled");
        assertThat(finished.get("rebuild").get("finishedAt").isNull()).isFalse();
        assertLiveTablesUntouched(before);
        assertProblem(api().delete("/api/v1/admin/projections/probe/rebuild", operator()), 409, "rebuild_not_running");
    }

    @Test
    void aRebuildThatFailsWhileReplaying_leavesLiveTablesUntouched() {
        UUID poisoned = probeTask();
        String before = dump(ProbeProjection.TABLE);
        ProbeProjection.failOn(poisoned);

        assertThat(api().post("/api/v1/admin/projections/probe/rebuild", operator()).status()).isEqualTo(202);
        JsonNode finished = awaitRebuildFinished(ProbeProjection.NAME);

        assertThat(finished.get("rebuild").get("state").asString()).isEqualTo("failed");
        assertThat(finished.get("rebuild").get("error").asString()).contains(ProbeProjection.FAULT_MESSAGE);
        assertThat(status(ProbeProjection.NAME, admin()).get("rebuild").get("error").asString())
                .as("a tenant's admin sees the classes, not the message quoting some tenant's data")
                .contains(IllegalStateException.class.getName()).doesNotContain(ProbeProjection.FAULT_MESSAGE);
        ProbeProjection.heal(poisoned);
        assertLiveTablesUntouched(before);
    }

    @Test
    void aRebuildThatFailsAtTheSwap_restartsThePausedProcessor_andLeavesLiveTablesUntouched() {
        probeTask();
        owner.execute("CREATE VIEW read_model.probe_task_titles AS SELECT id, title FROM read_model.probe_tasks");
        String before = dump(ProbeProjection.TABLE);

        assertThat(api().post("/api/v1/admin/projections/probe/rebuild", operator()).status()).isEqualTo(202);
        JsonNode finished = awaitRebuildFinished(ProbeProjection.NAME);

        assertThat(finished.get("rebuild").get("state").asString()).isEqualTo("failed");
        assertThat(finished.get("rebuild").get("error").asString()).contains("depend");
        assertLiveTablesUntouched(before);
        UUID after = probeTask();
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class, after))
                .isOne();
    }

    @Test
    void projections_listEveryProjectionWithPositionHeadAndLag() {
        awaitTaskVersion(probeTask(), 0);

        Response response = api().get("/api/v1/admin/projections", admin());

        assertThat(response.status()).isEqualTo(200);
        Map<String, JsonNode> byName = new ConcurrentHashMap<>();
        response.body().get("items").forEach(item -> byName.put(item.get("name").asString(), item));
        assertThat(byName).containsKeys("tasks", ProbeProjection.NAME);
        JsonNode tasks = byName.get("tasks");
        assertThat(tasks.get("state").asString()).isIn("running", "failing", "stopped", "rebuilding");
        assertThat(tasks.get("tables")).hasSize(TASK_TABLES.size());
        assertThat(tasks.get("segments").asInt()).isEqualTo(4);
        long head = tasks.get("head").asLong();
        long position = tasks.get("position").asLong();
        assertThat(position).isPositive().isLessThanOrEqualTo(head);
        assertThat(tasks.get("lag").asLong()).isEqualTo(head - position);
        assertThat(tasks.get("deadLetters").asLong()).isNotNegative();
    }

    @Test
    void unknownProjection_is404_everywhere() {
        assertProblem(api().get("/api/v1/admin/projections/nope", admin()), 404, "not_found");
        assertProblem(api().post("/api/v1/admin/projections/nope/rebuild", operator()), 404, "not_found");
        assertProblem(api().delete("/api/v1/admin/projections/nope/rebuild", operator()), 404, "not_found");
    }

    @Test
    void rebuilds_areForbidden_toATenantsAdmin() {
        assertProblem(api().post("/api/v1/admin/projections/" + ProbeProjection.NAME + "/rebuild", admin()), 403,
                      "forbidden");
        assertProblem(api().delete("/api/v1/admin/projections/" + ProbeProjection.NAME + "/rebuild", admin()), 403,
                      "forbidden");
        assertThat(status(ProbeProjection.NAME).get("state").asString()).isNotEqualTo("rebuilding");
        assertThat(api().get("/api/v1/admin/projections", operator()).status()).isEqualTo(200);
    }

    @Test
    void projectionOperations_needTheAdminScope() {
        assertProblem(api().get("/api/v1/admin/projections", null), 401, "unauthorized");
        assertProblem(api().post("/api/v1/admin/projections/tasks/rebuild", null), 401, "unauthorized");
        assertProblem(api().get("/api/v1/admin/projections", reader()), 403, "forbidden");
        assertProblem(api().get("/api/v1/admin/projections/tasks", token("read audit")), 403, "forbidden");
        assertProblem(api().post("/api/v1/admin/projections/tasks/rebuild", reader()), 403, "forbidden");
        assertProblem(api().delete("/api/v1/admin/projections/tasks/rebuild", reader()), 403, "forbidden");
    }

    /** Out-of-order commits are where a tracking token's index and the event's own part. */
    private void assertEventLogHoldsEachEventsOwnPosition() {
        await().atMost(Duration.ofSeconds(15)).until(() -> owner.queryForObject("""
                SELECT count(*) FROM event_store.domain_event_entry e
                 WHERE e.meta_data IS NOT NULL
                   -- Not every stored metadata is valid jsonb: a test plants an escaped NUL, which jsonb refuses.
                   AND CASE WHEN strpos(convert_from(e.meta_data, 'UTF8'), '\\u0000') = 0
                            THEN convert_from(e.meta_data, 'UTF8')::jsonb ->> 'tenantId' END = ?
                   AND NOT EXISTS (SELECT 1 FROM read_model.event_log l WHERE l.id::text = e.event_identifier)""",
                Long.class, tenant.toString()) == 0);
        assertThat(owner.queryForObject("""
                SELECT count(*) FROM read_model.event_log l
                  JOIN event_store.domain_event_entry e ON e.event_identifier = l.id::text
                 WHERE l.tenant_id = ? AND l.global_index <> e.global_index""", Long.class, tenant))
                .as("event_log rows whose global_index is not their event's").isZero();
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.event_log WHERE tenant_id = ?", Long.class,
                                        tenant)).isGreaterThan(150);
    }

    private void assertLiveTablesUntouched(String before) {
        assertThat(dump(ProbeProjection.TABLE)).isEqualTo(before);
        assertThat(schemaExists("rebuild_probe")).isFalse();
        assertThat(processing.eventProcessorByProcessingGroup(ProbeProjection.NAME, StreamingEventProcessor.class))
                .get().satisfies(processor -> assertThat(processor.isRunning()).isTrue());
        assertThat(status(ProbeProjection.NAME).get("state").asString()).isNotEqualTo("rebuilding");
    }

    /** The swapped-in table lets each tenant read only its own rows, like the one Flyway made. */
    private void assertSwappedTableIsIsolatedPerTenant() {
        assertThat(owner.queryForObject("SELECT relrowsecurity FROM pg_class WHERE oid = 'read_model.tasks'::regclass",
                                        Boolean.class)).isTrue();
        assertThat(owner.queryForObject("SELECT count(*) FROM pg_policies WHERE schemaname = 'read_model'"
                                        + " AND tablename = 'tasks' AND policyname = 'tenant_isolation'", Long.class))
                .isOne();
        UUID ours = owner.queryForObject("SELECT id FROM read_model.tasks WHERE tenant_id = ? LIMIT 1", UUID.class,
                                         tenant);
        assertThat(api().get("/api/v1/tasks/" + ours, reader()).status()).isEqualTo(200);
        assertThat(api().get("/api/v1/tasks/" + ours, TestTokens.read(UUID.randomUUID())).status())
                .isEqualTo(404);
    }

    /** Version of every task of this test's tenant in the live table. */
    private Map<UUID, Long> liveVersions() {
        Map<UUID, Long> versions = new HashMap<>();
        owner.query("SELECT id, version FROM read_model.tasks WHERE tenant_id = ?",
                    rs -> {
                        versions.put(rs.getObject("id", UUID.class), rs.getLong("version"));
                    }, tenant);
        return versions;
    }

    private List<String> indexes(String table) {
        return owner.queryForList("SELECT indexname || ': ' || indexdef FROM pg_indexes"
                                  + " WHERE schemaname = 'read_model' AND tablename = ? ORDER BY indexname",
                                  String.class, table);
    }

    /** A task the probe projection has applied. */
    private UUID probeTask() {
        UUID id = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.created(id, tenant, project));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class, id) == 1);
        return id;
    }


    /** Reads one task over the API until stopped, remembering every answer that was not 200. */
    private final class Reader implements Runnable {

        private final UUID taskId;
        private final AtomicLong reads = new AtomicLong();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private volatile boolean stop;

        Reader(UUID taskId) {
            this.taskId = taskId;
        }

        @Override
        public void run() {
            String token = reader();
            while (!stop) {
                try {
                    Response response = api().get("/api/v1/tasks/" + taskId, token);
                    if (response.status() != 200) {
                        failures.add(response.status() + " " + response.body());
                    }
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
                reads.incrementAndGet();
                LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            }
        }
    }

    /** Appends task events from its own thread, as commands arriving meanwhile would. */
    private final class Writer implements Runnable {

        private final List<UUID> tasks = new CopyOnWriteArrayList<>();
        private final Map<UUID, Long> versions = new ConcurrentHashMap<>();
        private final AtomicLong appended = new AtomicLong();
        private volatile boolean stop;
        private volatile Throwable failure;

        @Override
        public void run() {
            try {
                while (!stop) {
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        createTask();
                    } else {
                        reassign(tasks.get(ThreadLocalRandom.current().nextInt(tasks.size())));
                    }
                    // Paced: a writer as fast as it can go on 2 cores, with every live processor
                    // handling its events, can outrun the replay, which then never catches up.
                    Thread.sleep(20);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        void createTask() {
            UUID id = UuidV7.generate();
            versions.put(id, eventStreams.append(tenant, TaskEvents.created(id, tenant, project)));
            tasks.add(id);
            appended.incrementAndGet();
        }

        /** An event for a task the replay may already have passed. */
        void reassign(UUID id) {
            versions.put(id, eventStreams.append(tenant, new TaskAssigned(id, AssigneeType.USER, "user-" + id)));
            appended.incrementAndGet();
        }
    }
}
