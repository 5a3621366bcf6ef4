package dev.verity.command.platform.axon;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stored events cannot be rewritten, not even by the role that owns the table (V10). */
class EventStoreAppendOnlyTest extends IntegrationTest {

    @Test
    void storedEvents_refuseUpdateDeleteAndTruncate() {
        Response created = http.post("/api/v1/tasks", token,
                                     Map.of("projectId", UUID.randomUUID(), "type", "REVIEW", "title", "immutable"));
        String id = (String) created.get("id");

        assertThatThrownBy(() -> jdbc.update("UPDATE event_store.domain_event_entry SET payload = payload"
                                             + " WHERE aggregate_identifier = ?", id))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM event_store.domain_event_entry WHERE aggregate_identifier = ?",
                                             id))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.execute("TRUNCATE event_store.domain_event_entry"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThat(eventCount(id)).isEqualTo(1);
    }
}
