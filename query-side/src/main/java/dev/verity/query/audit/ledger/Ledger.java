package dev.verity.query.audit.ledger;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;

/**
 * SQL over {@code event_store.ledger} and the raw event rows it witnesses. Both tables are read
 * in pages by key, so neither chaining nor verifying ever holds a whole store in memory.
 */
@Component
class Ledger {

    private static final String ENTRY_COLUMNS = "position, global_index, event_identifier, hash, chained_at";

    private final JdbcTemplate jdbc;

    Ledger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<LedgerEntry> newest() {
        return jdbc.query("SELECT " + ENTRY_COLUMNS + " FROM event_store.ledger ORDER BY position DESC LIMIT 1",
                          LedgerEntry::map).stream().findFirst();
    }

    /** The highest global index the ledger has witnessed: events at or below it are in the chained range. */
    long maxGlobalIndex() {
        Long max = jdbc.queryForObject("SELECT max(global_index) FROM event_store.ledger", Long.class);
        return max == null ? 0 : max;
    }

    List<LedgerEntry> entriesAfter(long position, int limit) {
        return jdbc.query("SELECT " + ENTRY_COLUMNS + " FROM event_store.ledger WHERE position > ?"
                                  + " ORDER BY position LIMIT ?", LedgerEntry::map, position, limit);
    }

    void append(List<LedgerEntry> entries) {
        jdbc.batchUpdate("INSERT INTO event_store.ledger (position, global_index, event_identifier, hash)"
                                 + " VALUES (?, ?, ?, ?)", entries, entries.size(), (statement, entry) -> {
            statement.setLong(1, entry.position());
            statement.setLong(2, entry.globalIndex());
            statement.setString(3, entry.eventIdentifier());
            statement.setBytes(4, entry.hash());
        });
    }

    /** Stored events with {@code after < global_index <= upTo}, in global order. */
    List<StoredEvent> eventsBetween(long after, long upTo, int limit) {
        return jdbc.query("SELECT " + StoredEvent.COLUMNS + " FROM event_store.domain_event_entry"
                                  + " WHERE global_index > ? AND global_index <= ? ORDER BY global_index LIMIT ?",
                          StoredEvent::map, after, upTo, limit);
    }

    /**
     * Takes the chainer's lock for the current transaction, or answers false at once when another
     * chainer (in this or another instance) holds it. The lock ends with the transaction.
     */
    boolean tryLockForChaining() {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class,
                                                       LedgerChainer.LOCK_KEY));
    }
}
