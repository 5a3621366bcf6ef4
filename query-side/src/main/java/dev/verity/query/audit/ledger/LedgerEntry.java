package dev.verity.query.audit.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * One row of {@code event_store.ledger}: the chain's value after the event at {@code globalIndex},
 * written by transaction {@code xid}.
 */
record LedgerEntry(long position, long xid, long globalIndex, String eventIdentifier, byte[] hash, Instant chainedAt) {

    static final String COLUMNS = "position, xid::text::bigint AS xid, global_index, event_identifier, hash, chained_at";

    static LedgerEntry map(ResultSet rs, int row) throws SQLException {
        return new LedgerEntry(rs.getLong("position"), rs.getLong("xid"), rs.getLong("global_index"),
                               rs.getString("event_identifier"), rs.getBytes("hash"),
                               rs.getTimestamp("chained_at").toInstant());
    }

    ChainKey key() {
        return new ChainKey(xid, globalIndex);
    }
}
