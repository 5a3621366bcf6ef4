package dev.verity.query.audit.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of {@code event_store.domain_event_entry} exactly as stored: text columns as the
 * database returns them and bytea columns as raw bytes, never through Axon's serializer, so the
 * ledger witnesses what is on disk rather than what an upcaster or a lenient parser makes of it.
 * {@code xid} is the writing transaction (V13), which orders the chain but is not hashed.
 */
record StoredEvent(long globalIndex, String eventIdentifier, String aggregateIdentifier, long sequenceNumber,
                   String type, String payloadType, String payloadRevision, byte[] payload, byte[] metaData,
                   String timeStamp, long xid) {

    /** {@code xid} as a bigint: transaction ids stay far below 2^63 in any real server's life. */
    static final String COLUMNS = """
            global_index, event_identifier, aggregate_identifier, sequence_number, type, payload_type,
            payload_revision, payload, meta_data, time_stamp, xid::text::bigint AS xid""";

    static StoredEvent map(ResultSet rs, int row) throws SQLException {
        return new StoredEvent(rs.getLong("global_index"), rs.getString("event_identifier"),
                               rs.getString("aggregate_identifier"), rs.getLong("sequence_number"),
                               rs.getString("type"), rs.getString("payload_type"), rs.getString("payload_revision"),
                               rs.getBytes("payload"), rs.getBytes("meta_data"), rs.getString("time_stamp"),
                               rs.getLong("xid"));
    }

    ChainKey key() {
        return new ChainKey(xid, globalIndex);
    }
}
