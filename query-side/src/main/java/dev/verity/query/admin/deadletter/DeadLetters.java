package dev.verity.query.admin.deadletter;

import dev.verity.events.common.MetadataKeys;
import dev.verity.query.platform.security.Reach;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcDeadLetter;
import org.axonframework.messaging.deadletter.SequencedDeadLetterProcessor;
import org.axonframework.messaging.deadletter.ThrowableCause;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The projections' parked events in {@code event_store.dead_letter_entry}. Listing reads the table
 * directly; retrying goes through Axon's dead-letter processor of the projection, which runs the
 * projection's own handlers in a transaction, evicts what succeeds and re-parks what fails again.
 * <p>
 * Every query is confined to the caller's {@link Reach}: the letter's {@code tenant_id} (V12 reads
 * it from the parked event's metadata) must be the caller's tenant unless the caller is an operator.
 */
@Component
class DeadLetters {

    /** One parked event. {@code sequence} is what orders it: the aggregate it belongs to. */
    record DeadLetter(String id, String projection, String sequence, long sequenceIndex, String eventIdentifier,
                      String type, String aggregateType, String aggregateIdentifier, Long sequenceNumber,
                      Instant eventTimestamp, UUID tenantId, Cause cause, Instant enqueuedAt, Instant lastTouched,
                      Instant processingStarted) {
    }

    /** Why it was parked; null for events parked only because an earlier one of their sequence was. */
    record Cause(String type, String message) {
    }

    /**
     * Which letters a bulk operation takes: each filter null means any. {@code cause} is an exception
     * class, fully qualified or simple; it selects the sequences one of whose letters failed with it.
     */
    record Filter(String projection, String cause, UUID tenantId) {
    }

    /** One parked record: the {@code letters} of a projection's sequence. */
    record Sequence(String projection, String sequence, int letters) {
    }

    private static final String COLUMNS = """
            SELECT dead_letter_identifier, processing_group, sequence_identifier, sequence_index, event_identifier,
                   payload_type, aggregate_type, aggregate_identifier, sequence_number, time_stamp, tenant_id,
                   cause_type, cause_message, enqueued_at, last_touched, processing_started
              FROM event_store.dead_letter_entry""";

    private final JdbcTemplate jdbc;
    private final EventProcessingConfiguration processing;

    DeadLetters(JdbcTemplate jdbc, EventProcessingConfiguration processing) {
        this.jdbc = jdbc;
        this.processing = processing;
    }

    /** Oldest first, in the order they will be retried within a sequence; each filter null means any. */
    List<DeadLetter> list(Reach reach, Filter filter, int limit) {
        Where where = filtered(reach, filter);
        where.arguments.add(limit);
        return jdbc.query(COLUMNS + where.sql() + " ORDER BY enqueued_at, processing_group, sequence_identifier,"
                          + " sequence_index LIMIT ?", this::deadLetter, where.arguments.toArray());
    }

    /** The letter, if it exists and is within reach: another tenant's is as absent as an unknown one. */
    Optional<DeadLetter> find(Reach reach, String id) {
        Where where = new Where(reach).add("dead_letter_identifier = ?", id);
        return jdbc.query(COLUMNS + where.sql(), this::deadLetter, where.arguments.toArray()).stream().findFirst();
    }

    /** The parked records that {@code filter} selects within reach, oldest first, at most {@code limit}. */
    List<Sequence> sequences(Reach reach, Filter filter, int limit) {
        Where where = filtered(reach, filter);
        where.arguments.add(limit);
        return jdbc.query("SELECT processing_group, sequence_identifier, count(*) FROM event_store.dead_letter_entry"
                          + where.sql() + " GROUP BY processing_group, sequence_identifier"
                          + " ORDER BY min(enqueued_at), processing_group, sequence_identifier LIMIT ?",
                          (rs, row) -> new Sequence(rs.getString(1), rs.getString(2), rs.getInt(3)), where.arguments.toArray());
    }

    /**
     * Processes the letter's whole sequence through the projection, oldest first, stopping at the
     * first event that fails again (that one stays parked, with its new cause: its type restored
     * from the description {@link dev.verity.query.platform.projection.SafeCauses} stored, which
     * Axon's JDBC letter otherwise records as its own {@code ThrowableCause} wrapper).
     *
     * @return the letters of the sequence still parked afterwards; empty when all went through
     */
    List<DeadLetter> retry(Reach reach, DeadLetter letter) {
        return retry(reach, new Sequence(letter.projection(), letter.sequence(), 1));
    }

    List<DeadLetter> retry(Reach reach, Sequence sequence) {
        SequencedDeadLetterProcessor<EventMessage<?>> processor =
                processing.sequencedDeadLetterProcessor(sequence.projection())
                          .orElseThrow(() -> new IllegalStateException(
                                  "Projection " + sequence.projection() + " has no dead-letter processor"));
        processor.process(candidate -> candidate instanceof JdbcDeadLetter<?> parked
                                       && sequence.sequence().equals(parked.getSequenceIdentifier())
                                       && reach.covers(tenantOf(parked)));
        jdbc.update("UPDATE event_store.dead_letter_entry SET cause_type = split_part(cause_message, ';', 1)"
                    + " WHERE processing_group = ? AND sequence_identifier = ? AND cause_type = ?",
                    sequence.projection(), sequence.sequence(), ThrowableCause.class.getName());
        Where where = new Where(reach).add("processing_group = ?", sequence.projection())
                                      .add("sequence_identifier = ?", sequence.sequence());
        return jdbc.query(COLUMNS + where.sql() + " ORDER BY sequence_index", this::deadLetter,
                          where.arguments.toArray());
    }

    /**
     * Removes the letter for good: the projection never applies its event (until a rebuild, which
     * applies every event). The same DELETE Axon's own eviction runs; done here so that letters
     * of a projection that no longer exists can be discarded too.
     */
    void discard(DeadLetter letter) {
        jdbc.update("DELETE FROM event_store.dead_letter_entry WHERE dead_letter_identifier = ?", letter.id());
    }

    /**
     * Removes every letter of the sequences {@code filter} selects within reach, in one statement.
     *
     * @return how many letters went
     */
    int discard(Reach reach, Filter filter) {
        Where where = filtered(reach, filter);
        List<Object> arguments = new ArrayList<>(where.arguments);
        reach.tenant().ifPresent(arguments::add);
        return jdbc.update("DELETE FROM event_store.dead_letter_entry WHERE (processing_group, sequence_identifier)"
                           + " IN (SELECT processing_group, sequence_identifier FROM event_store.dead_letter_entry"
                           + where.sql() + ")" + (reach.tenant().isPresent() ? " AND tenant_id = ?" : ""),
                           arguments.toArray());
    }

    private static Where filtered(Reach reach, Filter filter) {
        Where where = new Where(reach);
        if (filter.projection() != null) {
            where.add("processing_group = ?", filter.projection());
        }
        if (filter.tenantId() != null) {
            where.add("tenant_id = ?", filter.tenantId());
        }
        if (filter.cause() != null) {
            where.add("(cause_type = ? OR right(cause_type, char_length(?) + 1) = '.' || ?)",
                      filter.cause(), filter.cause(), filter.cause());
        }
        return where;
    }

    private static UUID tenantOf(JdbcDeadLetter<?> letter) {
        Object tenant = letter.message().getMetaData().get(MetadataKeys.TENANT_ID);
        try {
            return tenant == null ? null : UUID.fromString(tenant.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private DeadLetter deadLetter(ResultSet rs, int row) throws SQLException {
        String causeType = rs.getString("cause_type");
        long sequenceNumber = rs.getLong("sequence_number");
        Long number = rs.wasNull() ? null : sequenceNumber;
        return new DeadLetter(rs.getString("dead_letter_identifier"), rs.getString("processing_group"),
                              rs.getString("sequence_identifier"), rs.getLong("sequence_index"),
                              rs.getString("event_identifier"), rs.getString("payload_type"),
                              rs.getString("aggregate_type"), rs.getString("aggregate_identifier"),
                              number, instant(rs, "time_stamp"), rs.getObject("tenant_id", UUID.class),
                              causeType == null ? null : new Cause(causeType, rs.getString("cause_message")),
                              instant(rs, "enqueued_at"), instant(rs, "last_touched"),
                              instant(rs, "processing_started"));
    }

    /** Axon stores these instants as ISO-8601 text. */
    private static Instant instant(ResultSet rs, String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? null : DateTimeUtils.parseInstant(value);
    }

    /** A WHERE clause that always starts with the caller's reach. */
    private static final class Where {

        private final List<String> conditions = new ArrayList<>();
        private final List<Object> arguments = new ArrayList<>();

        Where(Reach reach) {
            reach.tenant().ifPresent(tenant -> add("tenant_id = ?", tenant));
        }

        Where add(String condition, Object... values) {
            conditions.add(condition);
            arguments.addAll(List.of(values));
            return this;
        }

        String sql() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }
    }
}
