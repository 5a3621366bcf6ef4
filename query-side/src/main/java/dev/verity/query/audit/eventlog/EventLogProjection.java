package dev.verity.query.audit.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.events.common.MetadataKeys;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.util.Optional;
import java.util.UUID;

import static dev.verity.query.platform.projection.SqlValues.json;
import static dev.verity.query.platform.projection.SqlValues.time;

/**
 * Writes every domain event as one row of {@code event_log} (seed 001, plus where the event sits
 * in the event store), whatever its aggregate: a new aggregate's events appear here without a
 * line of code. The row id is the event identifier and rows are only ever inserted
 * ({@code ON CONFLICT (id) DO NOTHING}), so a redelivered or replayed event changes nothing.
 *
 * <h2>Where each column comes from</h2>
 * <ul>
 *   <li>{@code payload}: the payload serialized by the event store's own serializer, so the row
 *       holds the JSON the store holds.</li>
 *   <li>{@code event_type}: the payload's simple class name ({@code TaskCreated}).</li>
 *   <li>{@code tenant_id}, {@code actor_*}, {@code correlation_id}, {@code causation_id}: the
 *       metadata every command puts on its events. An event without a tenant cannot be placed under
 *       row-level security, so it fails rather than being logged for nobody or everybody.</li>
 *   <li>{@code project_id}: the payload's {@code projectId} when it has one, otherwise the project
 *       of the aggregate's earlier rows (only a creation names the project). Events of one
 *       aggregate arrive in order, in one segment, so the earlier rows are already there.</li>
 *   <li>{@code global_index}: the event's own position in the store ({@link StoredPositions}). The
 *       tracking token will not do: a {@code GapAwareTrackingToken}'s index is the highest position
 *       the processor has seen, so for an event that committed after a later one (any concurrent
 *       load) it names the later event's position. The store is the authority on positions, and a
 *       replayed row must equal the live row exactly.</li>
 * </ul>
 * Events that belong to no aggregate are not logged: every column but the seed's would be empty.
 */
@ProcessingGroup(EventLogProjection.PROCESSING_GROUP)
class EventLogProjection {

    static final String PROCESSING_GROUP = "event-log";
    static final String TABLE = "event_log";

    private final ReadModelWriter writer;
    private final Serializer eventSerializer;
    private final StoredPositions positions;

    EventLogProjection(ReadModelWriter writer, Serializer eventSerializer, StoredPositions positions) {
        this.writer = writer;
        this.eventSerializer = eventSerializer;
        this.positions = positions;
    }

    @EventHandler
    void on(Object payload, DomainEventMessage<?> event) {
        JsonNode json = eventSerializer.serialize(payload, JsonNode.class).getData();
        UUID aggregateId = UUID.fromString(event.getAggregateIdentifier());
        if (event.getType() == null) {
            throw new IllegalStateException("Event " + event.getIdentifier() + " names no aggregate type");
        }
        MetaData metaData = event.getMetaData();
        UUID tenantId = uuid(metaValue(metaData, MetadataKeys.TENANT_ID)).orElseThrow(
                () -> new IllegalStateException("Event " + event.getIdentifier() + " carries no tenantId"));
        writer.insert(TABLE, new MapSqlParameterSource()
                .addValue("id", UUID.fromString(event.getIdentifier()))
                .addValue("tenant_id", tenantId)
                .addValue("project_id", projectId(json, aggregateId, event.getSequenceNumber()))
                .addValue("event_type", event.getPayloadType().getSimpleName())
                .addValue("payload", json(json))
                .addValue("actor_type", metaValue(metaData, MetadataKeys.ACTOR_TYPE))
                .addValue("actor_id", metaValue(metaData, MetadataKeys.ACTOR_ID))
                .addValue("aggregate_type", event.getType())
                .addValue("aggregate_id", aggregateId)
                .addValue("sequence_number", event.getSequenceNumber())
                .addValue("global_index", positions.of(event))
                .addValue("correlation_id", metaValue(metaData, MetadataKeys.CORRELATION_ID))
                .addValue("causation_id", metaValue(metaData, MetadataKeys.CAUSATION_ID))
                .addValue("created_at", time(event.getTimestamp())));
    }

    private UUID projectId(JsonNode payload, UUID aggregateId, long sequenceNumber) {
        JsonNode named = payload.get("projectId");
        Optional<UUID> projectId = uuid(named != null && named.isTextual() ? named.asText() : null);
        if (projectId.isPresent()) {
            return projectId.get();
        }
        // A scalar subquery answers NULL instead of throwing when there is no earlier row.
        return writer.queryForObject("""
                SELECT (SELECT project_id FROM {schema}.event_log
                         WHERE aggregate_id = :aggregateId AND sequence_number < :sequenceNumber
                           AND project_id IS NOT NULL
                         ORDER BY sequence_number DESC LIMIT 1)""",
                new MapSqlParameterSource("aggregateId", aggregateId).addValue("sequenceNumber", sequenceNumber),
                UUID.class);
    }

    private static String metaValue(MetaData metaData, String key) {
        Object value = metaData.get(key);
        return value == null ? null : value.toString();
    }

    private static Optional<UUID> uuid(String value) {
        try {
            return Optional.ofNullable(value).map(UUID::fromString);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
