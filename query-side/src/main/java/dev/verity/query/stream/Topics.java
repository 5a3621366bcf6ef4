package dev.verity.query.stream;

import dev.verity.query.audit.AuditedAggregate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * What one stream follows: projection status (when {@code projections} is true) and records, in
 * the order the client named them. {@code fingerprint} names the normalized list, so an event id
 * (see {@link Resume}) is only read back by a stream of the same topics.
 */
record Topics(boolean projections, List<RecordTopic> records, String fingerprint) {

    /** One record: its aggregate, the name events call its type, its root table and id. */
    record RecordTopic(AuditedAggregate aggregate, String type, String table, UUID id) {

        String key() {
            return "records:" + type + "/" + id;
        }
    }

    static Topics of(boolean projections, List<RecordTopic> records) {
        StringBuilder normalized = new StringBuilder(projections ? "projections" : "");
        records.forEach(record -> normalized.append(',').append(record.key()));
        return new Topics(projections, List.copyOf(records), fingerprint(normalized.toString()));
    }

    private static String fingerprint(String normalized) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
