package dev.verity.query.audit.ledger;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The ledger's hash function. Auditors recompute it without our code, so the byte layout is
 * part of the contract and must never change for existing positions:
 *
 * <pre>
 * hash_0 = 32 zero bytes
 * hash_n = SHA-256( hash_(n-1)                        32 bytes
 *                 || field(event_identifier)          UTF-8 text
 *                 || field(aggregate_identifier)      UTF-8 text
 *                 || int64(sequence_number)           8 bytes, big-endian, two's complement
 *                 || field(type)                      UTF-8 text, the aggregate type; may be NULL
 *                 || field(payload_type)              UTF-8 text, the event's class name
 *                 || field(payload_revision)          UTF-8 text; may be NULL
 *                 || field(payload)                   the stored bytea, unchanged
 *                 || field(meta_data)                 the stored bytea, unchanged; may be NULL
 *                 || field(time_stamp)                UTF-8 text exactly as stored (ISO-8601) )
 *
 * field(x)    = int32(byte length of x) || x      lengths 4 bytes, big-endian
 * field(NULL) = int32(-1)                         FF FF FF FF and no bytes, so NULL differs from ""
 * </pre>
 *
 * Every variable field is length-prefixed, so no two different rows encode to the same bytes
 * (moving a byte from one field into the next changes a length). The "type" is taken
 * as all three type columns: {@code payload_type} and {@code payload_revision} decide what
 * the payload deserialises into, so leaving them out would let an event be retyped unseen.
 * {@code global_index} is deliberately not hashed: order is already fixed by the chain, and the
 * ledger row records which global index each position witnessed.
 */
final class LedgerHash {

    static final int LENGTH = 32;
    private static final int NULL_LENGTH = -1;
    private static final HexFormat HEX = HexFormat.of();

    private LedgerHash() {
    }

    static byte[] genesis() {
        return new byte[LENGTH];
    }

    static byte[] next(byte[] previous, StoredEvent event) {
        if (previous.length != LENGTH) {
            throw new IllegalArgumentException("A ledger hash has " + LENGTH + " bytes, not " + previous.length);
        }
        ByteArrayOutputStream input = new ByteArrayOutputStream(256 + event.payload().length
                + (event.metaData() == null ? 0 : event.metaData().length));
        input.writeBytes(previous);
        field(input, text(event.eventIdentifier()));
        field(input, text(event.aggregateIdentifier()));
        input.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(event.sequenceNumber()).array());
        field(input, text(event.type()));
        field(input, text(event.payloadType()));
        field(input, text(event.payloadRevision()));
        field(input, event.payload());
        field(input, event.metaData());
        field(input, text(event.timeStamp()));
        return sha256().digest(input.toByteArray());
    }

    static String hex(byte[] hash) {
        return HEX.formatHex(hash);
    }

    /** Callers check the shape first ({@link #isHex}); this only converts. */
    static byte[] fromHex(String hex) {
        return HEX.parseHex(hex);
    }

    static boolean isHex(String value) {
        return value != null && value.matches("[0-9a-fA-F]{" + (LENGTH * 2) + "}");
    }

    private static byte[] text(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    private static void field(ByteArrayOutputStream input, byte[] value) {
        int length = value == null ? NULL_LENGTH : value.length;
        input.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(length).array());
        if (value != null) {
            input.writeBytes(value);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime must provide SHA-256", e);
        }
    }
}
