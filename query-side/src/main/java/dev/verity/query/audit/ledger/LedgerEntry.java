package dev.verity.query.audit.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** One row of {@code event_store.ledger}: the chain's value after the event at {@code globalIndex}. */
record LedgerEntry(long position, long globalIndex, String eventIdentifier, byte[] hash, Instant chainedAt) {

    static LedgerEntry map(ResultSet rs, int row) throws SQLException {
        return new LedgerEntry(rs.getLong("position"), rs.getLong("global_index"), rs.getString("event_identifier"),
                               rs.getBytes("hash"), rs.getTimestamp("chained_at").toInstant());
    }
}
