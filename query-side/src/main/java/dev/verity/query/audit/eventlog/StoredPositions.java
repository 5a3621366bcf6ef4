package dev.verity.query.audit.eventlog;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.HashMap;
import java.util.Map;

/**
 * Each event's own {@code global_index}, read from {@code event_store.domain_event_entry} by event
 * identifier (unique and indexed there): the store is the authority on positions, since a
 * {@code GapAwareTrackingToken}'s index is the highest position the processor has seen, not the
 * position of an event that fills a gap.
 * <p>
 * A live processor applies a batch of events in one unit of work: the first event of the batch
 * asks for the whole batch's positions in one statement, and the others find theirs in what it
 * read, instead of one round trip per event. Outside a batch (a dead letter retried, a rebuild,
 * a verification) an event asks for its own.
 */
final class StoredPositions {

    private static final String BATCH_RESOURCE = StoredPositions.class.getName() + ".batch";

    private final NamedParameterJdbcTemplate jdbc;

    StoredPositions(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    long of(DomainEventMessage<?> event) {
        Long stored = ofBatch().get(event.getIdentifier());
        if (stored == null) {
            stored = jdbc.queryForObject("""
                    SELECT (SELECT global_index FROM event_store.domain_event_entry
                             WHERE event_identifier = :eventIdentifier)""",
                    new MapSqlParameterSource("eventIdentifier", event.getIdentifier()), Long.class);
        }
        if (stored == null) {
            throw new IllegalStateException("Event " + event.getIdentifier() + " is not in the event store");
        }
        return stored;
    }

    /** The current batch's positions, read when its first event asks; empty outside a batch. */
    private Map<String, Long> ofBatch() {
        if (!CurrentUnitOfWork.isStarted() || !(CurrentUnitOfWork.get() instanceof BatchingUnitOfWork<?> batch)) {
            return Map.of();
        }
        UnitOfWork<?> root = batch.root();
        return root.getOrComputeResource(BATCH_RESOURCE, key -> read(batch));
    }

    private Map<String, Long> read(BatchingUnitOfWork<?> batch) {
        String[] identifiers = batch.getMessages().stream()
                                    .filter(DomainEventMessage.class::isInstance)
                                    .map(Message::getIdentifier)
                                    .toArray(String[]::new);
        Map<String, Long> positions = new HashMap<>();
        jdbc.getJdbcTemplate().query("""
                        SELECT event_identifier, global_index FROM event_store.domain_event_entry
                         WHERE event_identifier = ANY(?)""",
                statement -> statement.setArray(1, statement.getConnection().createArrayOf("varchar", identifiers)),
                row -> {
                    positions.put(row.getString(1), row.getLong(2));
                });
        return positions;
    }
}
