package dev.verity.query.platform.projection;

import dev.verity.events.common.MetadataKeys;
import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import dev.verity.events.task.TaskType;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.EventStreams;
import dev.verity.query.TestTokens;
import dev.verity.query.audit.AuditTest;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event stored before the command edge refused NUL (written here straight into the table, as
 * it sits in an existing store) projects through the upcaster, and nothing stored changes.
 */
class StoredNulEventTest extends AuditTest {

    private static final String NUL = "\0";
    private static final String REPLACED = "\uFFFD";

    @Autowired
    private Serializer serializer;

    private final UUID tenant = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();

    @Test
    void storedNulEvent_projectsWithTheReplacementCharacter_andStaysAsStored() {
        TaskCreated created = new TaskCreated(taskId, tenant, UUID.randomUUID(), TaskType.REVIEW, "a" + NUL + "b",
                                              "line" + NUL, TaskPriority.HIGH, AssigneeType.USER, "bob", null, null,
                                              null, List.of(), List.of(), Map.of("ke" + NUL + "y", "v" + NUL),
                                              EventStreams.ACTOR_ID, TaskStatus.PENDING);
        MetaData metaData = EventStreams.metaData(tenant).and(MetadataKeys.CORRELATION_ID, "corr" + NUL);
        byte[] payload = serializer.serialize(created, byte[].class).getData();
        byte[] meta = serializer.serialize(metaData, byte[].class).getData();
        assertThat(new String(payload, StandardCharsets.UTF_8)).as("stored as Jackson writes it").contains("\\u0000");
        owner.update("""
                INSERT INTO event_store.domain_event_entry (aggregate_identifier, sequence_number, type,
                       event_identifier, meta_data, payload, payload_type, time_stamp)
                VALUES (?, 0, 'Task', ?, ?, ?, ?, ?)""", taskId.toString(), UUID.randomUUID().toString(), meta,
                     payload, TaskCreated.class.getName(), Instant.now().toString());
        append("Task", taskId, 1, new TaskAssigned(taskId, AssigneeType.USER, "carol"), EventStreams.metaData(tenant));

        awaitTaskVersion(taskId, 1);
        awaitEventLog(taskId, 2);

        Map<String, Object> row = owner.queryForMap("SELECT title, description, metadata::text AS metadata, assignee_id"
                                                    + " FROM read_model.tasks WHERE id = ?", taskId);
        assertThat(row.get("title")).isEqualTo("a" + REPLACED + "b");
        assertThat(row.get("description")).isEqualTo("line" + REPLACED);
        assertThat((String) row.get("metadata")).contains("ke" + REPLACED + "y").contains("v" + REPLACED);
        assertThat(row.get("assignee_id")).as("the later event applied too").isEqualTo("carol");
        assertThat(owner.queryForObject("SELECT count(*) FROM event_store.dead_letter_entry WHERE aggregate_identifier = ?",
                                        Long.class, taskId.toString())).isZero();
        Map<String, Object> logged = owner.queryForMap("SELECT payload::text AS payload, correlation_id FROM read_model.event_log"
                                                       + " WHERE aggregate_id = ? AND sequence_number = 0", taskId);
        assertThat((String) logged.get("payload")).contains("a" + REPLACED + "b");
        assertThat(logged.get("correlation_id")).as("metadata is repaired too").isEqualTo("corr" + REPLACED);

        Map<String, Object> stored = owner.queryForMap("SELECT payload, meta_data FROM event_store.domain_event_entry"
                                                       + " WHERE aggregate_identifier = ? AND sequence_number = 0",
                                                       taskId.toString());
        assertThat((byte[]) stored.get("payload")).as("the stored payload is untouched").isEqualTo(payload);
        assertThat((byte[]) stored.get("meta_data")).as("the stored metadata is untouched").isEqualTo(meta);

        Response history = api().get("/api/v1/audit/tasks/" + taskId + "/history", auditToken(tenant));
        assertThat(history.status()).isEqualTo(200);
        JsonNode first = history.body().get("items").get(0);
        assertThat(first.get("payload").get("title").asString()).as("history shows the evidence").isEqualTo("a" + NUL + "b");
        Response task = api().get("/api/v1/tasks/" + taskId, TestTokens.read(tenant));
        assertThat(task.status()).isEqualTo(200);
        assertThat(task.body().get("title").asString()).isEqualTo("a" + REPLACED + "b");
        Response ledger = api().post("/api/v1/audit/ledger/verify", auditToken(tenant), null);
        assertThat(ledger.status()).isEqualTo(200);
        assertThat(ledger.body().get("ok").asBoolean()).isTrue();
    }
}
