package dev.verity.query.audit.ledger;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;

/**
 * SQL over {@code event_store.ledger} and the raw event rows it witnesses. Both tables are read
 * in pages by key, so neither chaining nor verifying ever holds a whole store in memory. Events
 * are read in chain order, {@code (xid, global_index)} (see {@link ChainKey}), which the index of
 * V13 serves.
 */
@Component
class Ledger {

    /** Compares an event row's key with a {@link ChainKey} bound as (xid, global index). */
    private static final String KEY = "(xid, global_index)";
    private static final String BOUND_KEY = "(?::text::xid8, ?)";

    private final JdbcTemplate jdbc;

    Ledger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<LedgerEntry> newest() {
        return jdbc.query("SELECT " + LedgerEntry.COLUMNS + " FROM event_store.ledger ORDER BY position DESC LIMIT 1",
                          LedgerEntry::map).stream().findFirst();
    }

    List<LedgerEntry> entriesAfter(long position, int limit) {
        return jdbc.query("SELECT " + LedgerEntry.COLUMNS + " FROM event_store.ledger WHERE position > ?"
                                  + " ORDER BY position LIMIT ?", LedgerEntry::map, position, limit);
    }

    void append(List<LedgerEntry> entries) {
        jdbc.batchUpdate("INSERT INTO event_store.ledger (position, xid, global_index, event_identifier, hash)"
                                 + " VALUES (?, ?::text::xid8, ?, ?, ?)", entries, entries.size(), (statement, entry) -> {
            statement.setLong(1, entry.position());
            statement.setLong(2, entry.xid());
            statement.setLong(3, entry.globalIndex());
            statement.setString(4, entry.eventIdentifier());
            statement.setBytes(5, entry.hash());
        });
    }

    /**
     * Events after {@code after} in chain order that are final: written by a transaction older
     * than every transaction still running on the server (the current snapshot's xmin). Such a
     * transaction has committed or rolled back, and every transaction to come gets a higher id, so
     * nothing can ever be stored below the events this returns.
     */
    List<StoredEvent> finalEventsAfter(ChainKey after, int limit) {
        return jdbc.query("SELECT " + StoredEvent.COLUMNS + " FROM event_store.domain_event_entry"
                                  + " WHERE " + KEY + " > " + BOUND_KEY
                                  + " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                                  + " ORDER BY xid, global_index LIMIT ?",
                          StoredEvent::map, after.xid(), after.globalIndex(), limit);
    }

    /** Stored events with {@code after < key <= upTo}, in chain order. */
    List<StoredEvent> eventsBetween(ChainKey after, ChainKey upTo, int limit) {
        return jdbc.query("SELECT " + StoredEvent.COLUMNS + " FROM event_store.domain_event_entry"
                                  + " WHERE " + KEY + " > " + BOUND_KEY + " AND " + KEY + " <= " + BOUND_KEY
                                  + " ORDER BY xid, global_index LIMIT ?",
                          StoredEvent::map, after.xid(), after.globalIndex(), upTo.xid(), upTo.globalIndex(), limit);
    }

    /** How many stored events lie beyond {@code chained} in chain order: not witnessed yet. */
    long eventsAfter(ChainKey chained) {
        Long count = jdbc.queryForObject("SELECT count(*) FROM event_store.domain_event_entry WHERE " + KEY + " > "
                                                 + BOUND_KEY, Long.class, chained.xid(), chained.globalIndex());
        return count == null ? 0 : count;
    }

    /** The highest global index stored, 0 while the store is empty. */
    long storeHead() {
        Long head = jdbc.queryForObject("SELECT coalesce(max(global_index), 0) FROM event_store.domain_event_entry",
                                        Long.class);
        return head == null ? 0 : head;
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
