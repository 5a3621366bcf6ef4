package dev.verity.query.admin;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.ConcurrentWriters;
import dev.verity.query.ProbeProjection;
import dev.verity.query.TaskEvents;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Verification against the event store. Other test classes write rows straight into the shared
 * read model (the projection and writer tests), which the log rightly does not explain, so each
 * test first rebuilds every projection: from then on the live tables are exactly the log's.
 */
class VerifyTest extends AdminApiTest {

    private final UUID project = UUID.randomUUID();
    private boolean tampered;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Autowired
    private EventProcessingConfiguration processing;

    @AfterEach
    void repair() {
        if (tampered) {
            rebuild("tasks");
        }
    }

    @Test
    void verify_isOk_forAnUntouchedPlatform_whileAndAfterConcurrentWritersCommitOutOfOrder() throws Exception {
        rebuildEverything();
        UUID taskId = UuidV7.generate();
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                                                     new TaskAssigned(taskId, AssigneeType.USER, "bob")));
        ConcurrentWriters writers = new ConcurrentWriters(eventStreams, transactionManager, tenant, project).start(25);
        JsonNode during;
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> writers.appended() >= 100);
            during = api().post("/api/v1/admin/verify", operator()).body();
            writers.awaitDone();
        } finally {
            writers.stop();
        }
        writers.versions().forEach(this::awaitTaskVersion);

        Response response = api().post("/api/v1/admin/verify", operator());

        assertUntouched(during);
        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.body();
        assertUntouched(body);
        assertThat(body.get("verifiedAt").isNull()).isFalse();
        assertThat(tables(body)).containsKeys("tasks", "task_activity", "event_log", "probe_tasks");
        assertThat(tables(body).get("event_log").get("liveRows").asLong()).isGreaterThanOrEqualTo(writers.appended());
        body.get("projections").forEach(projection -> {
            assertThat(projection.get("caughtUp").asBoolean()).as("%s", projection).isTrue();
            assertThat(projection.get("position").asLong()).isGreaterThanOrEqualTo(projection.get("head").asLong());
        });
        assertThat(owner.queryForList("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'verify\\_%'",
                                      String.class)).isEmpty();
    }

    @Test
    void verify_saysCaughtUp_onceIdle_evenWhereASegmentSawNoneOfTheLastEvents() {
        rebuildEverything();
        for (int i = 0; i < 8; i++) {
            UUID id = UuidV7.generate();
            awaitTaskVersion(id, eventStreams.append(tenant, TaskEvents.created(id, tenant, project)));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            JsonNode tasks = api().get("/api/v1/admin/projections/tasks", admin()).body();
            return tasks.get("lag").asLong() == 0;
        });

        JsonNode body = api().post("/api/v1/admin/verify", operator()).body();

        assertUntouched(body);
        body.get("projections").forEach(projection -> {
            assertThat(projection.get("caughtUp").asBoolean()).as("%s", projection).isTrue();
            assertThat(projection.get("position").asLong()).isEqualTo(projection.get("head").asLong());
        });
    }

    private static void assertUntouched(JsonNode verification) {
        assertThat(verification.get("ok").asBoolean()).as("%s", verification).isTrue();
        assertThat(verification.get("tables")).isNotEmpty().allSatisfy(table -> {
            assertThat(table.get("ok").asBoolean()).as("%s", table).isTrue();
            assertThat(table.get("liveRows").asLong()).isEqualTo(table.get("rebuiltRows").asLong());
            assertThat(table.get("differingKeys")).isEmpty();
        });
    }

    @Test
    void verify_reportsAChangedADeletedAndAnExtraLiveRow() {
        rebuildEverything();
        UUID changed = UuidV7.generate();
        UUID deleted = UuidV7.generate();
        UUID copied = UuidV7.generate();
        for (UUID id : List.of(changed, deleted, copied)) {
            awaitTaskVersion(id, eventStreams.append(tenant, TaskEvents.created(id, tenant, project)));
        }
        UUID extra = UuidV7.generate();
        tampered = true;
        owner.update("UPDATE read_model.tasks SET title = 'x' WHERE id = ?", changed);
        owner.update("DELETE FROM read_model.tasks WHERE id = ?", deleted);
        owner.update("INSERT INTO read_model.tasks"
                     + " SELECT (jsonb_populate_record(t, jsonb_build_object('id', ?::uuid))).*"
                     + " FROM read_model.tasks t WHERE id = ?", extra, copied);

        Response response = api().post("/api/v1/admin/verify", operator());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("ok").asBoolean()).isFalse();
        Map<String, JsonNode> tables = tables(response.body());
        JsonNode tasks = tables.get("tasks");
        assertThat(tasks.get("ok").asBoolean()).isFalse();
        assertThat(tasks.get("differingRows").asLong()).isEqualTo(3);
        assertThat(tasks.get("changedRows").asLong()).isEqualTo(1);
        assertThat(tasks.get("missingRows").asLong()).isEqualTo(1);
        assertThat(tasks.get("extraRows").asLong()).isEqualTo(1);
        assertThat(tasks.get("liveRows").asLong()).isEqualTo(tasks.get("rebuiltRows").asLong());
        List<String> keys = new ArrayList<>();
        tasks.get("differingKeys").forEach(key -> keys.add(key.asString()));
        assertThat(keys).containsExactlyInAnyOrder(changed.toString(), deleted.toString(), extra.toString());
        tables.values().stream()
              .filter(table -> !table.get("table").asString().equals("tasks"))
              .forEach(table -> assertThat(table.get("ok").asBoolean()).as("%s", table).isTrue());
    }

    @Test
    void verify_comparesChildRowsByTenantTaskAndId_whenTwoTenantsShareAStepId() {
        rebuildEverything();
        UUID otherTenant = UUID.randomUUID();
        UUID ours = UuidV7.generate();
        UUID theirs = UuidV7.generate();
        UUID step = UuidV7.generate();
        awaitTaskVersion(ours, eventStreams.append(tenant, TaskEvents.created(ours, tenant, project),
                                                   new StepAdded(ours, step, "ours")));
        awaitTaskVersion(theirs, eventStreams.append(otherTenant, TaskEvents.created(theirs, otherTenant, project),
                                                     new StepAdded(theirs, step, "theirs"),
                                                     new StepStarted(theirs, step, 0)));

        JsonNode untouched = api().post("/api/v1/admin/verify", operator()).body();
        tampered = true;
        owner.update("UPDATE read_model.steps SET result = 'x' WHERE tenant_id = ? AND id = ?", otherTenant, step);
        JsonNode afterTampering = api().post("/api/v1/admin/verify", operator()).body();

        assertThat(untouched.get("ok").asBoolean()).as("%s", untouched).isTrue();
        JsonNode steps = tables(afterTampering).get("steps");
        assertThat(steps.get("changedRows").asLong()).isEqualTo(1);
        assertThat(steps.get("missingRows").asLong()).isZero();
        assertThat(steps.get("differingKeys")).hasSize(1);
        assertThat(steps.get("differingKeys").get(0).asString())
                .contains(otherTenant.toString(), theirs.toString(), step.toString());
    }

    @Test
    void aProjectionThatCannotReplayTheLog_isReported_andTheOthersStillVerified() {
        UUID poisoned = UuidV7.generate();
        awaitTaskVersion(poisoned, eventStreams.append(tenant, TaskEvents.created(poisoned, tenant, project)));
        await().atMost(Duration.ofSeconds(15)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class, poisoned) == 1);
        ProbeProjection.failOn(poisoned);
        try {
            Response response = api().post("/api/v1/admin/verify", operator());

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("ok").asBoolean()).isFalse();
            Map<String, JsonNode> projections = new HashMap<>();
            response.body().get("projections").forEach(p -> projections.put(p.get("name").asString(), p));
            assertThat(projections.get(ProbeProjection.NAME).get("error").asString())
                    .contains(ProbeProjection.FAULT_MESSAGE);
            assertThat(projections.get("tasks").get("error").isNull()).isTrue();
            assertThat(tables(response.body())).containsKey("tasks").doesNotContainKey(ProbeProjection.TABLE);
        } finally {
            ProbeProjection.heal(poisoned);
        }
        assertThat(status(ProbeProjection.NAME).get("state").asString()).isNotIn("stopped", "rebuilding");
    }

    /**
     * A node that missed the pause (its view of the nodes stale) commits a batch while verification
     * replays to the paused tokens. The tokens are checked again inside the comparison's snapshot,
     * so the rows that batch added are never reported as differences: the projection is verified
     * again from scratch, and comes out {@code ok}.
     */
    @Test
    void verify_startsAProjectionOver_whenItsProcessorMovedWhilePaused() throws Exception {
        rebuildEverything();
        // A sequence number taken and never committed (a rolled-back append): a gap in every token,
        // so the event below falls in the replay that runs while the processor is paused.
        owner.queryForObject("SELECT nextval(pg_get_serial_sequence('event_store.domain_event_entry', 'global_index'))",
                             Long.class);
        UUID replayedWhilePaused = UuidV7.generate();
        awaitTaskVersion(replayedWhilePaused, eventStreams.append(tenant, TaskEvents.created(replayedWhilePaused, tenant,
                                                                                             project)));
        awaitProbeRow(replayedWhilePaused);
        ProbeProjection.Hold replaying = ProbeProjection.holdOn(replayedWhilePaused);
        String processor = processing.eventProcessorByProcessingGroup(ProbeProjection.NAME)
                                     .map(EventProcessor::getName).orElseThrow();
        UUID committedWhilePaused = UuidV7.generate();

        // Held, then verified twice over: longer than a request is otherwise given.
        CompletableFuture<Response> verification = CompletableFuture.supplyAsync(
                () -> api().postWaiting("/api/v1/admin/verify", operator(), Duration.ofSeconds(150)));
        try {
            assertThat(replaying.awaitEntered(Duration.ofSeconds(60))).isTrue();
            assertThat(owner.queryForObject("SELECT count(*) FROM event_store.processor_pause WHERE processor_name = ?",
                                            Integer.class, processor)).isOne();
            // This node now plays the one that missed the pause: it claims segments and applies an event.
            owner.update("DELETE FROM event_store.processor_pause WHERE processor_name = ?", processor);
            eventStreams.append(tenant, TaskEvents.created(committedWhilePaused, tenant, project));
            awaitProbeRow(committedWhilePaused);
        } finally {
            replaying.release();
        }
        Response response = verification.get(120, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertUntouched(response.body());
        assertThat(tables(response.body()).get(ProbeProjection.TABLE).get("liveRows").asLong())
                .isEqualTo(owner.queryForObject("SELECT count(*) FROM read_model.probe_tasks", Long.class));
    }

    private void awaitProbeRow(UUID taskId) {
        await().atMost(Duration.ofSeconds(15)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class, taskId) == 1);
    }

    @Test
    void verify_needsTheOperatorScope() {
        assertProblem(api().post("/api/v1/admin/verify", null), 401, "unauthorized");
        assertProblem(api().post("/api/v1/admin/verify", reader()), 403, "forbidden");
        assertProblem(api().post("/api/v1/admin/verify", token("read audit")), 403, "forbidden");
        assertProblem(api().post("/api/v1/admin/verify", admin()), 403, "forbidden");
    }

    private void rebuildEverything() {
        Response projections = api().get("/api/v1/admin/projections", admin());
        projections.body().get("items").forEach(projection -> rebuild(projection.get("name").asString()));
    }

    private static Map<String, JsonNode> tables(JsonNode verification) {
        Map<String, JsonNode> byName = new HashMap<>();
        verification.get("tables").forEach(table -> byName.put(table.get("table").asString(), table));
        return byName;
    }
}
