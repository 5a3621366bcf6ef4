package dev.verity.query.audit.eventlog;

import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.verity.query.platform.projection.SqlValues.time;

/**
 * Reads {@code event_log} as one tenant. Like the task queries, the SQL has no tenant condition:
 * row-level security under {@link TenantReads} keeps other tenants' events out.
 */
@Component
class EventLogQueries {

    private final TenantReads reads;
    private final JsonMapper json;

    EventLogQueries(TenantReads reads, JsonMapper json) {
        this.reads = reads;
        this.json = json;
    }

    record EventLogEntry(UUID id, String eventType, String aggregateType, UUID aggregateId, long sequenceNumber,
                         long globalIndex, UUID projectId, String actorType, String actorId, String correlationId,
                         String causationId, Instant createdAt, JsonNode payload) {
    }

    /** Equality filters, and {@code from <= created_at < to}; null means "any". */
    record EventFilter(String aggregateType, UUID aggregateId, UUID projectId, String eventType, String actorId,
                       Instant from, Instant to) {
    }

    /** {@code last} is the global index to continue after, or null when this was the last page. */
    record EventPage(List<EventLogEntry> items, Long last) {
    }

    /** In the order events were stored; keyset pagination on the global index never skips or repeats one. */
    EventPage events(UUID tenantId, EventFilter filter, Long after, int limit) {
        List<String> conditions = new ArrayList<>();
        MapSqlParameterSource parameters = new MapSqlParameterSource("limit", limit + 1);
        equal(conditions, parameters, "aggregate_type", filter.aggregateType());
        equal(conditions, parameters, "aggregate_id", filter.aggregateId());
        equal(conditions, parameters, "project_id", filter.projectId());
        equal(conditions, parameters, "event_type", filter.eventType());
        equal(conditions, parameters, "actor_id", filter.actorId());
        if (filter.from() != null) {
            conditions.add("created_at >= :from");
            parameters.addValue("from", time(filter.from()));
        }
        if (filter.to() != null) {
            conditions.add("created_at < :to");
            parameters.addValue("to", time(filter.to()));
        }
        if (after != null) {
            conditions.add("global_index > :after");
            parameters.addValue("after", after);
        }
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        List<EventLogEntry> rows = reads.read(tenantId, jdbc -> jdbc.query("""
                SELECT id, event_type, aggregate_type, aggregate_id, sequence_number, global_index, project_id,
                       actor_type, actor_id, correlation_id, causation_id, created_at, payload
                  FROM read_model.event_log""" + where + " ORDER BY global_index LIMIT :limit",
                parameters, this::entry));
        if (rows.size() <= limit) {
            return new EventPage(rows, null);
        }
        List<EventLogEntry> page = rows.subList(0, limit);
        return new EventPage(page, page.get(limit - 1).globalIndex());
    }

    private EventLogEntry entry(ResultSet rs, int rowNum) throws SQLException {
        return new EventLogEntry(rs.getObject("id", UUID.class), rs.getString("event_type"),
                                 rs.getString("aggregate_type"), rs.getObject("aggregate_id", UUID.class),
                                 rs.getLong("sequence_number"), rs.getLong("global_index"),
                                 rs.getObject("project_id", UUID.class), rs.getString("actor_type"),
                                 rs.getString("actor_id"), rs.getString("correlation_id"),
                                 rs.getString("causation_id"),
                                 rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                                 json.readTree(rs.getString("payload")));
    }

    private static void equal(List<String> conditions, MapSqlParameterSource parameters, String column,
                              Object value) {
        if (value != null) {
            conditions.add(column + " = :" + column);
            parameters.addValue(column, value);
        }
    }
}
