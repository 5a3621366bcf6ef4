package dev.verity.query.admin.deadletter;

import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcDeadLetter;
import org.axonframework.messaging.deadletter.SequencedDeadLetterProcessor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The projections' parked events in {@code event_store.dead_letter_entry}. Listing reads the table
 * directly; retrying goes through Axon's dead-letter processor of the projection, which runs the
 * projection's own handlers in a transaction, evicts what succeeds and re-parks what fails again.
 */
@Component
class DeadLetters {

    /** One parked event. {@code sequence} is what orders it: the aggregate it belongs to. */
    record DeadLetter(String id, String projection, String sequence, long sequenceIndex, String eventIdentifier,
                      String type, String aggregateType, String aggregateIdentifier, Long sequenceNumber,
                      Instant eventTimestamp, Cause cause, Instant enqueuedAt, Instant lastTouched,
                      Instant processingStarted) {
    }

    /** Why it was parked; null for events parked only because an earlier one of their sequence was. */
    record Cause(String type, String message) {
    }

    private static final String COLUMNS = """
            SELECT dead_letter_identifier, processing_group, sequence_identifier, sequence_index, event_identifier,
                   payload_type, aggregate_type, aggregate_identifier, sequence_number, time_stamp, cause_type,
                   cause_message, enqueued_at, last_touched, processing_started
              FROM event_store.dead_letter_entry""";

    private final JdbcTemplate jdbc;
    private final EventProcessingConfiguration processing;

    DeadLetters(JdbcTemplate jdbc, EventProcessingConfiguration processing) {
        this.jdbc = jdbc;
        this.processing = processing;
    }

    /** Oldest first, in the order they will be retried within a sequence; {@code projection} null means all. */
    List<DeadLetter> list(String projection, int limit) {
        String where = projection == null ? "" : " WHERE processing_group = ?";
        Object[] arguments = projection == null ? new Object[] {limit} : new Object[] {projection, limit};
        return jdbc.query(COLUMNS + where + " ORDER BY enqueued_at, processing_group, sequence_identifier,"
                          + " sequence_index LIMIT ?", this::deadLetter, arguments);
    }

    Optional<DeadLetter> find(String id) {
        return jdbc.query(COLUMNS + " WHERE dead_letter_identifier = ?", this::deadLetter, id).stream().findFirst();
    }

    /**
     * Processes the letter's whole sequence through the projection, oldest first, stopping at the
     * first event that fails again (that one stays parked, with its new cause).
     *
     * @return the letters of the sequence still parked afterwards; empty when all went through
     */
    List<DeadLetter> retry(DeadLetter letter) {
        SequencedDeadLetterProcessor<EventMessage<?>> processor =
                processing.sequencedDeadLetterProcessor(letter.projection())
                          .orElseThrow(() -> new IllegalStateException(
                                  "Projection " + letter.projection() + " has no dead-letter processor"));
        processor.process(candidate -> candidate instanceof JdbcDeadLetter<?> parked
                                       && letter.sequence().equals(parked.getSequenceIdentifier()));
        return jdbc.query(COLUMNS + " WHERE processing_group = ? AND sequence_identifier = ? ORDER BY sequence_index",
                          this::deadLetter, letter.projection(), letter.sequence());
    }

    /**
     * Removes the letter for good: the projection never applies its event (until a rebuild, which
     * applies every event). The same DELETE Axon's own eviction runs; done here so that letters
     * of a projection that no longer exists can be discarded too.
     */
    void discard(DeadLetter letter) {
        jdbc.update("DELETE FROM event_store.dead_letter_entry WHERE dead_letter_identifier = ?", letter.id());
    }

    private DeadLetter deadLetter(ResultSet rs, int row) throws SQLException {
        String causeType = rs.getString("cause_type");
        long sequenceNumber = rs.getLong("sequence_number");
        return new DeadLetter(rs.getString("dead_letter_identifier"), rs.getString("processing_group"),
                              rs.getString("sequence_identifier"), rs.getLong("sequence_index"),
                              rs.getString("event_identifier"), rs.getString("payload_type"),
                              rs.getString("aggregate_type"), rs.getString("aggregate_identifier"),
                              rs.wasNull() ? null : sequenceNumber, instant(rs, "time_stamp"),
                              causeType == null ? null : new Cause(causeType, rs.getString("cause_message")),
                              instant(rs, "enqueued_at"), instant(rs, "last_touched"),
                              instant(rs, "processing_started"));
    }

    /** Axon stores these instants as ISO-8601 text. */
    private static Instant instant(ResultSet rs, String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? null : DateTimeUtils.parseInstant(value);
    }
}
