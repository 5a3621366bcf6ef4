package dev.verity.query.audit.eventlog;

import dev.verity.events.common.MetadataKeys;
import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCompleted;
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

class AuditEventsApiTest extends AuditTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();
    private final String token = auditToken(tenant);

    @Test
    void events_listTheRecordsEvents_inStoreOrder_withEveryField() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"));
        awaitEventLog(taskId, 2);
        Map<String, Object> stored = owner.queryForMap("""
                SELECT event_identifier, global_index, time_stamp,
                       convert_from(meta_data, 'UTF8')::jsonb ->> 'correlationId' AS correlation
                  FROM event_store.domain_event_entry WHERE aggregate_identifier = ? AND sequence_number = 1""",
                taskId.toString());

        Response response = api().get("/api/v1/audit/events?aggregateId=" + taskId, token);

        assertThat(response.status()).isEqualTo(200);
        JsonNode items = response.body().get("items");
        assertThat(types(items)).containsExactly("TaskCreated", "TaskAssigned");
        assertThat(response.body().get("nextCursor").isNull()).isTrue();
        JsonNode assigned = items.get(1);
        assertThat(assigned.get("id").asString()).isEqualTo(stored.get("event_identifier"));
        assertThat(assigned.get("eventType").asString()).isEqualTo("TaskAssigned");
        assertThat(assigned.get("aggregateType").asString()).isEqualTo("Task");
        assertThat(assigned.get("aggregateId").asString()).isEqualTo(taskId.toString());
        assertThat(assigned.get("sequenceNumber").asLong()).isEqualTo(1);
        assertThat(assigned.get("globalIndex").asLong()).isEqualTo((Long) stored.get("global_index"));
        assertThat(assigned.get("projectId").asString()).isEqualTo(project.toString());
        assertThat(assigned.get("actorType").asString()).isEqualTo("user");
        assertThat(assigned.get("actorId").asString()).isEqualTo(EventStreams.ACTOR_ID);
        assertThat(assigned.get("correlationId").asString()).isEqualTo(stored.get("correlation"));
        assertThat(assigned.get("causationId").asString()).isEqualTo(stored.get("correlation"));
        assertThat(Instant.parse(assigned.get("createdAt").asString()))
                .isEqualTo(Instant.parse((String) stored.get("time_stamp")));
        assertThat(assigned.get("payload").get("assigneeId").asString()).isEqualTo("bob");
        assertThat(assigned.get("payload").get("assigneeType").asString()).isEqualTo("USER");
        assertThat(items.get(0).get("payload").get("title").asString()).isEqualTo("Review the spec");
        assertThat(items.get(0).get("globalIndex").asLong()).isLessThan(assigned.get("globalIndex").asLong());
    }

    @Test
    void events_showOnlyTheCallersTenant() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherTask = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project), new TaskStarted(taskId));
        eventStreams.append(otherTenant, TaskEvents.created(otherTask, otherTenant, project));
        awaitEventLog(taskId, 2);
        awaitEventLog(otherTask, 1);

        assertThat(aggregateIds(get(""))).containsExactly(taskId.toString(), taskId.toString());
        assertThat(items(get("?aggregateId=" + otherTask))).isEmpty();
        assertThat(aggregateIds(api().get("/api/v1/audit/events", auditToken(otherTenant)).body()))
                .containsExactly(otherTask.toString());
    }

    @Test
    void events_filterByAggregateProjectTypeAndActor() {
        UUID otherProject = UUID.randomUUID();
        UUID otherTask = UuidV7.generate();
        UUID botTask = UuidV7.generate();
        UUID widget = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"), new TaskStarted(taskId));
        eventStreams.append(tenant, TaskEvents.created(otherTask, tenant, otherProject), new TaskStarted(otherTask));
        append("Task", botTask, 0, TaskEvents.created(botTask, tenant, otherProject),
               EventStreams.metaData(tenant).and(MetadataKeys.ACTOR_TYPE, "agent").and(MetadataKeys.ACTOR_ID, "bot-1"));
        append("Widget", widget, 0, new TaskStarted(widget), EventStreams.metaData(tenant));
        awaitEventLog(taskId, 3);
        awaitEventLog(otherTask, 2);
        awaitEventLog(botTask, 1);
        awaitEventLog(widget, 1);

        assertThat(get("").get("items").size()).isEqualTo(7);
        assertThat(types(items(get("?aggregateId=" + otherTask)))).containsExactly("TaskCreated", "TaskStarted");
        assertThat(aggregateIds(get("?projectId=" + project))).containsOnly(taskId.toString()).hasSize(3);
        assertThat(aggregateIds(get("?eventType=TaskStarted")))
                .containsExactly(taskId.toString(), otherTask.toString(), widget.toString());
        assertThat(aggregateIds(get("?actorId=bot-1"))).containsExactly(botTask.toString());
        assertThat(items(get("?actorId=bot-1")).get(0).get("actorType").asString()).isEqualTo("agent");
        assertThat(items(get("?aggregateType=Task"))).hasSize(6);
        assertThat(items(get("?aggregateType=tasks"))).hasSize(6);
        assertThat(types(items(get("?aggregateType=Widget")))).containsExactly("TaskStarted");
        assertThat(items(get("?aggregateType=Task&projectId=" + otherProject + "&eventType=TaskCreated")))
                .hasSize(2);
    }

    @Test
    void events_filterByTime_fromInclusive_toExclusive() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"), new TaskStarted(taskId),
                            new TaskBlocked(taskId, "legal"));
        awaitEventLog(taskId, 4);
        List<String> times = owner.queryForList("SELECT time_stamp FROM event_store.domain_event_entry"
                                                + " WHERE aggregate_identifier = ? ORDER BY sequence_number",
                                                String.class, taskId.toString());

        assertThat(types(items(get("?from=" + times.get(1) + "&to=" + times.get(3)))))
                .containsExactly("TaskAssigned", "TaskStarted");
        assertThat(types(items(get("?from=" + times.get(2))))).containsExactly("TaskStarted", "TaskBlocked");
        assertThat(types(items(get("?to=" + times.get(1))))).containsExactly("TaskCreated");
    }

    @Test
    void events_pageByCursor_withoutSkippingOrRepeating() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"), new TaskStarted(taskId),
                            new TaskBlocked(taskId, "legal"), new TaskCompleted(taskId, "done", "alice"));
        awaitEventLog(taskId, 5);
        List<String> all = ids(items(get("")));

        List<String> paged = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            paged.addAll(ids(page.get("items")));
            pageSizes.add(page.get("items").size());
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);

        assertThat(pageSizes).containsExactly(2, 2, 1);
        assertThat(paged).isEqualTo(all).hasSize(5).doesNotHaveDuplicates();
        assertThat(get("?limit=5").get("nextCursor").isNull()).isTrue();
    }

    @Test
    void events_return400_forBadParameters() {
        assertProblem(api().get("/api/v1/audit/events?limit=0", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?limit=501", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?limit=ten", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?cursor=not-a-cursor", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?cursor=AAAAAAAAAAAAAAAAAAAAAA", token), 400,
                      "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?aggregateId=42", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?projectId=x", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/events?from=yesterday", token), 400, "validation_failed");
        Response backwards = api().get("/api/v1/audit/events?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
                                       token);
        assertProblem(backwards, 400, "validation_failed");
        assertThat(backwards.body().get("errors").get(0).get("field").asString()).isEqualTo("to");
    }

    @Test
    void events_needAnAuditToken() {
        assertProblem(api().get("/api/v1/audit/events", null), 401, "unauthorized");
        assertProblem(api().get("/api/v1/audit/events", TestTokens.read(tenant)), 403, "forbidden");
        assertThat(api().get("/api/v1/audit/events", token).status()).isEqualTo(200);
    }

    private JsonNode get(String query) {
        Response response = api().get("/api/v1/audit/events" + query, token);
        assertThat(response.status()).as(query).isEqualTo(200);
        return response.body();
    }

    private static JsonNode items(JsonNode page) {
        return page.get("items");
    }

    private static List<String> types(JsonNode items) {
        return field(items, "eventType");
    }

    private static List<String> ids(JsonNode items) {
        return field(items, "id");
    }

    private static List<String> aggregateIds(JsonNode page) {
        return field(page.get("items"), "aggregateId");
    }

    private static List<String> field(JsonNode items, String name) {
        List<String> values = new ArrayList<>();
        items.forEach(item -> values.add(item.get(name).asString()));
        return values;
    }
}
