package dev.verity.query.admin;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.ProbeProjection;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.projection.Projections;
import org.axonframework.config.EventProcessingConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A projection that throws on one record: that record is parked, the others keep flowing, retry and discard work. */
class DeadLetterTest extends AdminApiTest {

    private final UUID project = UUID.randomUUID();
    private final List<UUID> tasks = new ArrayList<>();

    @Autowired
    private Projections projections;
    @Autowired
    private EventProcessingConfiguration processing;

    @AfterEach
    void cleanUp() {
        ProbeProjection.reset();
        tasks.forEach(id -> owner.update("DELETE FROM event_store.dead_letter_entry WHERE sequence_identifier = ?",
                                         id.toString()));
    }

    @Test
    void aFailingRecord_isParked_othersKeepFlowing_andRetrySucceedsOnceFixed() {
        UUID broken = task();
        UUID fine = task();
        ProbeProjection.failOn(broken);

        eventStreams.append(tenant, TaskEvents.created(broken, tenant, project));
        eventStreams.append(tenant, TaskEvents.created(fine, tenant, project));
        eventStreams.append(tenant, new TaskAssigned(broken, AssigneeType.USER, "bob"));
        eventStreams.append(tenant, new TaskAssigned(fine, AssigneeType.USER, "carol"));

        awaitProbeRow(fine, 1);
        List<JsonNode> parked = awaitParked(broken, 2);
        assertThat(probeRows(broken)).as("the failed handler's own insert is rolled back").isZero();
        JsonNode first = parked.get(0);
        assertThat(first.get("projection").asString()).isEqualTo(ProbeProjection.NAME);
        assertThat(first.get("sequenceIndex").asLong()).isLessThan(parked.get(1).get("sequenceIndex").asLong());
        assertThat(first.get("type").asString()).endsWith("TaskCreated");
        assertThat(first.get("aggregateIdentifier").asString()).isEqualTo(broken.toString());
        assertThat(first.get("sequenceNumber").asLong()).isZero();
        assertThat(first.get("eventIdentifier").asString()).isNotBlank();
        assertThat(first.get("tenantId").asString()).isEqualTo(tenant.toString());
        assertThat(first.get("cause").get("type").asString()).isEqualTo(IllegalStateException.class.getName());
        assertThat(first.get("cause").get("message").asString()).as("messages may carry payload, so none is kept")
                .isEqualTo(IllegalStateException.class.getName()).doesNotContain(ProbeProjection.FAULT_MESSAGE);
        assertThat(first.get("enqueuedAt").isNull()).isFalse();
        assertThat(first.get("lastTouched").isNull()).isFalse();
        assertThat(parked.get(1).get("type").asString()).endsWith("TaskAssigned");
        assertThat(status(ProbeProjection.NAME).get("state").asString()).isEqualTo("failing");
        assertThat(status(ProbeProjection.NAME).get("deadLetters").asLong()).isGreaterThanOrEqualTo(2);

        UUID later = task();
        eventStreams.append(tenant, TaskEvents.created(later, tenant, project));
        eventStreams.append(tenant, new TaskAssigned(broken, AssigneeType.USER, "dave"));
        awaitProbeRow(later, 0);
        awaitParked(broken, 3);

        Response stillFailing = api().post("/api/v1/admin/dead-letters/" + id(first) + "/retry", admin());
        assertThat(stillFailing.status()).isEqualTo(409);
        assertThat(stillFailing.body().get("code").asString()).isEqualTo("dead_letter_retry_failed");
        assertThat(parked(broken)).hasSize(3);
        assertThat(parked(broken).get(0).get("cause").get("type").asString()).as("the type survives a failed retry")
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(probeRows(broken)).isZero();

        ProbeProjection.heal(broken);
        Response retried = api().post("/api/v1/admin/dead-letters/" + id(first) + "/retry", admin());

        assertThat(retried.status()).as("%s", retried.body()).isEqualTo(200);
        assertThat(retried.body().get("outcome").asString()).isEqualTo("processed");
        assertThat(retried.body().get("sequence").asString()).isEqualTo(broken.toString());
        assertThat(parked(broken)).isEmpty();
        assertThat(owner.queryForMap("SELECT assignee_id, version FROM read_model.probe_tasks WHERE id = ?", broken))
                .containsEntry("assignee_id", "dave").containsEntry("version", 2L);
        assertThat(api().post("/api/v1/admin/dead-letters/" + id(first) + "/retry", admin()).status()).isEqualTo(404);

        eventStreams.append(tenant, new TaskAssigned(broken, AssigneeType.USER, "erin"));
        awaitProbeRow(broken, 3);
    }

    @Test
    void discard_removesTheLetter_andTheRecordStaysWithoutIt() {
        UUID doomed = task();
        ProbeProjection.failOn(doomed);
        eventStreams.append(tenant, TaskEvents.created(doomed, tenant, project));
        JsonNode letter = awaitParked(doomed, 1).get(0);

        Response discarded = api().delete("/api/v1/admin/dead-letters/" + id(letter), admin());

        assertThat(discarded.status()).isEqualTo(204);
        assertThat(parked(doomed)).isEmpty();
        assertThat(probeRows(doomed)).isZero();
        assertThat(api().delete("/api/v1/admin/dead-letters/" + id(letter), admin()).status()).isEqualTo(404);
    }

    @Test
    void deadLetters_canBeListedForAllProjections() {
        UUID broken = task();
        ProbeProjection.failOn(broken);
        eventStreams.append(tenant, TaskEvents.created(broken, tenant, project));
        awaitParked(broken, 1);

        Response all = api().get("/api/v1/admin/dead-letters?limit=1000", admin());

        assertThat(all.status()).isEqualTo(200);
        List<String> sequences = new ArrayList<>();
        all.body().get("items").forEach(item -> sequences.add(item.get("sequence").asString()));
        assertThat(sequences).contains(broken.toString());
        Response none = api().get("/api/v1/admin/dead-letters?projection=tasks", admin());
        none.body().get("items").forEach(item -> assertThat(item.get("projection").asString()).isEqualTo("tasks"));
    }

    @Test
    void everyRegisteredProjection_parksFailuresInItsOwnDeadLetterQueue() {
        assertThat(projections.all()).isNotEmpty().allSatisfy(projection -> {
            assertThat(processing.deadLetterQueue(projection.name())).as(projection.name()).isPresent();
            assertThat(processing.sequencedDeadLetterProcessor(projection.name())).as(projection.name()).isPresent();
        });
    }

    @Test
    void unknownIdsAndProjections_are404_andBadLimits400() {
        assertProblem(api().post("/api/v1/admin/dead-letters/" + UUID.randomUUID() + "/retry", admin()), 404,
                      "not_found");
        assertProblem(api().delete("/api/v1/admin/dead-letters/" + UUID.randomUUID(), admin()), 404, "not_found");
        assertProblem(api().get("/api/v1/admin/dead-letters?projection=nope", admin()), 404, "not_found");
        assertProblem(api().get("/api/v1/admin/dead-letters?limit=0", admin()), 400, "validation_failed");
    }

    @Test
    void deadLetters_needTheAdminScope() {
        assertProblem(api().get("/api/v1/admin/dead-letters", null), 401, "unauthorized");
        assertProblem(api().get("/api/v1/admin/dead-letters", reader()), 403, "forbidden");
        assertProblem(api().post("/api/v1/admin/dead-letters/x/retry", reader()), 403, "forbidden");
        assertProblem(api().delete("/api/v1/admin/dead-letters/x", reader()), 403, "forbidden");
    }

    private UUID task() {
        UUID id = UuidV7.generate();
        tasks.add(id);
        return id;
    }

    private List<JsonNode> awaitParked(UUID taskId, int count) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
               .until(() -> parked(taskId).size() == count);
        return parked(taskId);
    }

    /** The task's letters as the API lists them, oldest first. */
    private List<JsonNode> parked(UUID taskId) {
        Response response = api().get("/api/v1/admin/dead-letters?projection=probe&limit=1000", admin());
        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> letters = new ArrayList<>();
        response.body().get("items").forEach(item -> {
            if (item.get("sequence").asString().equals(taskId.toString())) {
                letters.add(item);
            }
        });
        letters.sort((a, b) -> Long.compare(a.get("sequenceIndex").asLong(), b.get("sequenceIndex").asLong()));
        return letters;
    }

    private void awaitProbeRow(UUID taskId, long version) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> owner.queryForList(
                "SELECT version FROM read_model.probe_tasks WHERE id = ?", Long.class, taskId)
                .stream().anyMatch(v -> v >= version));
    }

    private long probeRows(UUID taskId) {
        return owner.queryForObject("SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class, taskId);
    }

    private static String id(JsonNode letter) {
        return letter.get("id").asString();
    }

}
