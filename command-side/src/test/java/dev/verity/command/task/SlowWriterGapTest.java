package dev.verity.command.task;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer whose transaction commits after later events leaves a gap in global_index while it
 * is open. Streaming processors must remember the gap and deliver the event when it commits,
 * not skip it: here the late event completes a dependency, and the dependent task still unblocks.
 */
class SlowWriterGapTest extends IntegrationTest {

    private UUID create(Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("projectId", UUID.randomUUID(), "type", "PROVIDE",
                                                                  "title", "gap"));
        body.putAll(extra);
        Response response = http.post("/api/v1/tasks", token, body);
        assertThat(response.status()).isEqualTo(201);
        return UUID.fromString((String) response.get("id"));
    }

    @Test
    void eventCommittedAfterLaterEvents_isStillDelivered() throws Exception {
        UUID dependency = create(Map.of());
        UUID dependent = create(Map.of("dependencies", List.of(dependency)));

        try (Connection slow = jdbc.getDataSource().getConnection()) {
            slow.setAutoCommit(false);
            long gap = insertRawTaskEvent(slow, dependency, 1, "TaskCompleted",
                    "{\"taskId\":\"" + dependency + "\",\"notes\":null,\"completedBy\":\"slow\"}",
                    "{\"tenantId\":\"" + tenant + "\",\"actorType\":\"user\",\"actorId\":\"slow\"}");
            create(Map.of());
            create(Map.of());
            long head = jdbc.queryForObject("SELECT max(global_index) FROM event_store.domain_event_entry", Long.class);
            await("the processor to pass the gap at " + gap, () -> jdbc.queryForObject(
                    "SELECT count(*) FROM event_store.token_entry WHERE processor_name = ?"
                            + " AND convert_from(token, 'UTF8') LIKE ?",
                    Long.class, DependencyManager.PROCESSING_GROUP, "%\"gaps\":[%" + gap + "%") > 0
                    && tokenIndex() >= head);
            assertThat(eventCount(dependent)).isEqualTo(1);

            slow.commit();
        }

        await("the late TaskCompleted to unblock the dependent", () -> eventCount(dependent) == 2);
    }

    private long tokenIndex() {
        List<String> tokens = jdbc.queryForList("SELECT convert_from(token, 'UTF8') FROM event_store.token_entry"
                                                        + " WHERE processor_name = ? AND token IS NOT NULL", String.class,
                                                DependencyManager.PROCESSING_GROUP);
        return tokens.stream()
                     .map(token -> token.replaceAll(".*\"index\":(\\d+).*", "$1"))
                     .mapToLong(Long::parseLong)
                     .max().orElse(-1);
    }
}
