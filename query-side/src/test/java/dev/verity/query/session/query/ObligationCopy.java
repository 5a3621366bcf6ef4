package dev.verity.query.session.query;

import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Obligations with embeddings, written into {@code elicitation_obligations} by one binary COPY per
 * batch. Text (an INSERT's parameters or text COPY) would print and parse 1536 decimal numbers per
 * row; binary sends the four bytes of each float as pgvector's {@code vector_recv} reads them.
 * For the benchmark's bulk rows only: they bypass the projection, as another tenant's data would.
 */
final class ObligationCopy {

    private static final String SQL = "COPY read_model.elicitation_obligations (id, tenant_id, session_id,"
                                      + " obligation_key, embedding, sequence_number, created_at, updated_at)"
                                      + " FROM STDIN (FORMAT binary)";
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
    private static final int FIELDS = 8;

    private final int dimensions;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private int rows;

    ObligationCopy(int dimensions) {
        this.dimensions = dimensions;
    }

    int rows() {
        return rows;
    }

    void add(UUID id, UUID tenantId, UUID sessionId, String key, float[] embedding, long sequenceNumber) {
        if (embedding.length != dimensions) {
            throw new IllegalArgumentException("embedding of " + embedding.length + " dimensions, not " + dimensions);
        }
        long now = Duration.between(POSTGRES_EPOCH, Instant.now()).toNanos() / 1_000;
        try {
            out.writeShort(FIELDS);
            uuid(id);
            uuid(tenantId);
            uuid(sessionId);
            byte[] text = key.getBytes(StandardCharsets.UTF_8);
            out.writeInt(text.length);
            out.write(text);
            out.writeInt(4 + 4 * dimensions); // vector: int16 dimensions, int16 unused, the floats
            out.writeShort(dimensions);
            out.writeShort(0);
            for (float value : embedding) {
                out.writeFloat(value);
            }
            out.writeInt(8);
            out.writeLong(sequenceNumber);
            out.writeInt(8); // timestamptz: microseconds since 2000-01-01 UTC
            out.writeLong(now);
            out.writeInt(8);
            out.writeLong(now);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rows++;
    }

    private void uuid(UUID value) throws IOException {
        out.writeInt(16);
        out.writeLong(value.getMostSignificantBits());
        out.writeLong(value.getLeastSignificantBits());
    }

    /** Sends the rows added since the last call in one COPY and starts an empty batch. */
    void into(JdbcTemplate owner) {
        ByteArrayOutputStream message = new ByteArrayOutputStream(bytes.size() + 32);
        try (DataOutputStream data = new DataOutputStream(message)) {
            data.write(SIGNATURE);
            data.writeInt(0); // flags
            data.writeInt(0); // header extension length
            out.flush();
            bytes.writeTo(data);
            data.writeShort(-1); // trailer
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        owner.execute((ConnectionCallback<Long>) connection -> {
            try {
                return connection.unwrap(PGConnection.class).getCopyAPI()
                                 .copyIn(SQL, new ByteArrayInputStream(message.toByteArray()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        bytes.reset();
        rows = 0;
    }
}
