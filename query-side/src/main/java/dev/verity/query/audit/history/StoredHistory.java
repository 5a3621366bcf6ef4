package dev.verity.query.audit.history;

import dev.verity.events.common.MetadataKeys;
import dev.verity.query.audit.AuditedAggregate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A record's events exactly as {@code event_store.domain_event_entry} holds them: the stored
 * payload and metadata bytes, not the {@code event_log} projection and not a re-serialization of
 * what the code makes of them today, so what an auditor reads is the evidence itself. The event
 * store has no row-level security; the tenant rule is applied here instead.
 */
@Component
class StoredHistory {

    private final NamedParameterJdbcTemplate jdbc;
    private final JsonMapper json;

    StoredHistory(NamedParameterJdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** One stored event; {@code version} is its aggregate sequence number. */
    record StoredEvent(String eventIdentifier, String type, long version, long globalIndex, Instant timestamp,
                       JsonNode payload, JsonNode metadata) {
    }

    private record Row(String aggregateType, StoredEvent event) {
    }

    /**
     * The record's events in order; empty when there is no such record of this aggregate type
     * for this tenant (an unknown id and another tenant's id look the same).
     */
    Optional<List<StoredEvent>> events(AuditedAggregate aggregate, UUID tenantId, UUID id) {
        List<Row> rows = jdbc.query("""
                SELECT event_identifier, type, sequence_number, global_index, time_stamp, payload_type, payload,
                       meta_data
                  FROM event_store.domain_event_entry
                 WHERE aggregate_identifier = :id
                 ORDER BY sequence_number""", new MapSqlParameterSource("id", id.toString()), this::row);
        boolean visible = !rows.isEmpty() && rows.stream().allMatch(row ->
                aggregate.aggregateType().equals(row.aggregateType())
                && tenantId.toString().equals(row.event().metadata().path(MetadataKeys.TENANT_ID).asString()));
        return visible ? Optional.of(rows.stream().map(Row::event).toList()) : Optional.empty();
    }

    private Row row(ResultSet rs, int rowNum) throws SQLException {
        byte[] metadata = rs.getBytes("meta_data");
        StoredEvent event = new StoredEvent(rs.getString("event_identifier"), simpleName(rs.getString("payload_type")),
                                            rs.getLong("sequence_number"), rs.getLong("global_index"),
                                            Instant.parse(rs.getString("time_stamp")),
                                            json.readTree(rs.getBytes("payload")),
                                            metadata == null ? json.createObjectNode() : json.readTree(metadata));
        return new Row(rs.getString("type"), event);
    }

    /**
     * {@code dev.verity.events.task.TaskEvent$TaskCreated} is {@code TaskCreated}, the name the
     * event log uses too; the stored type is a class name, kept after the class may be gone.
     */
    static String simpleName(String payloadType) {
        return payloadType.substring(Math.max(payloadType.lastIndexOf('.'), payloadType.lastIndexOf('$')) + 1);
    }
}
