package dev.verity.query.audit.history;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.EventStreams;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import dev.verity.query.audit.AuditTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RecordHistoryApiTest extends AuditTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();
    private final String token = auditToken(tenant);

    @Test
    void history_returnsTheRecordsStoredEvents_inOrder_withPayloadAndMetadata() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"), new TaskStarted(taskId),
                            new TaskBlocked(taskId, "legal"));
        List<Map<String, Object>> stored = owner.queryForList("""
                SELECT event_identifier, global_index, time_stamp FROM event_store.domain_event_entry
                 WHERE aggregate_identifier = ? ORDER BY sequence_number""", taskId.toString());

        Response response = api().get("/api/v1/audit/tasks/" + taskId + "/history", token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("aggregateType").asString()).isEqualTo("Task");
        assertThat(response.body().get("aggregateId").asString()).isEqualTo(taskId.toString());
        JsonNode items = response.body().get("items");
        assertThat(field(items, "type")).containsExactly("TaskCreated", "TaskAssigned", "TaskStarted", "TaskBlocked");
        assertThat(field(items, "version")).containsExactly("0", "1", "2", "3");
        for (int i = 0; i < stored.size(); i++) {
            JsonNode event = items.get(i);
            assertThat(event.get("eventIdentifier").asString()).isEqualTo(stored.get(i).get("event_identifier"));
            assertThat(event.get("globalIndex").asLong()).isEqualTo((Long) stored.get(i).get("global_index"));
            assertThat(Instant.parse(event.get("timestamp").asString()))
                    .isEqualTo(Instant.parse((String) stored.get(i).get("time_stamp")));
            assertThat(event.get("metadata").get("tenantId").asString()).isEqualTo(tenant.toString());
            assertThat(event.get("metadata").get("actorId").asString()).isEqualTo(EventStreams.ACTOR_ID);
            assertThat(event.get("metadata").get("correlationId").isString()).isTrue();
        }
        JsonNode created = items.get(0).get("payload");
        assertThat(created.get("title").asString()).isEqualTo("Review the spec");
        assertThat(created.get("projectId").asString()).isEqualTo(project.toString());
        assertThat(created.get("type").asString()).isEqualTo("REVIEW");
        assertThat(created.get("dueDate").asString()).isEqualTo("2030-01-31T17:00:00Z");
        assertThat(items.get(3).get("payload").get("reason").asString()).isEqualTo("legal");
    }

    @Test
    void history_readsTheEventStore_notTheEventLog() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project), new TaskStarted(taskId));
        awaitEventLog(taskId, 2);
        owner.update("DELETE FROM read_model.event_log WHERE aggregate_id = ?", taskId);
        assertThat(api().get("/api/v1/audit/events?aggregateId=" + taskId, token).body().get("items")).isEmpty();

        Response response = api().get("/api/v1/audit/tasks/" + taskId + "/history", token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(field(response.body().get("items"), "type")).containsExactly("TaskCreated", "TaskStarted");
    }

    @Test
    void history_takesTheSingularNameToo() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project));

        Response response = api().get("/api/v1/audit/task/" + taskId + "/history", token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("items").size()).isEqualTo(1);
    }

    @Test
    void history_returns404_forAnotherTenantsRecord_exactlyLikeAnUnknownOne() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project));

        Response foreign = api().get("/api/v1/audit/tasks/" + taskId + "/history", auditToken(UUID.randomUUID()));
        Response unknown = api().get("/api/v1/audit/tasks/" + UuidV7.generate() + "/history", token);

        assertProblem(foreign, 404, "not_found");
        assertProblem(unknown, 404, "not_found");
        assertThat(foreign.body().get("detail")).isEqualTo(unknown.body().get("detail"));
    }

    @Test
    void history_returns404_forARecordOfAnotherAggregateType() {
        UUID widget = UuidV7.generate();
        append("Widget", widget, 0, new TaskStarted(widget), EventStreams.metaData(tenant));

        assertProblem(api().get("/api/v1/audit/tasks/" + widget + "/history", token), 404, "not_found");
    }

    @Test
    void history_returns404_forAnUnknownRecordType() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project));

        assertProblem(api().get("/api/v1/audit/widgets/" + taskId + "/history", token), 404, "not_found");
    }

    @Test
    void history_returns400_forAnIdThatIsNotAUuid() {
        assertProblem(api().get("/api/v1/audit/tasks/42/history", token), 400, "validation_failed");
    }

    @Test
    void history_needsAnAuditToken() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project));
        String path = "/api/v1/audit/tasks/" + taskId + "/history";

        assertProblem(api().get(path, null), 401, "unauthorized");
        assertProblem(api().get(path, TestTokens.read(tenant)), 403, "forbidden");
        assertThat(api().get(path, token).status()).isEqualTo(200);
    }

    private static List<String> field(JsonNode items, String name) {
        List<String> values = new ArrayList<>();
        items.forEach(item -> values.add(item.get(name).asString()));
        return values;
    }
}
