package dev.verity.command.platform.idempotency;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** command_model.idempotency_keys: claimed keys and the answers they replay, per tenant. */
@Component
class IdempotencyKeys {

    private final JdbcTemplate jdbc;
    private final Duration retention;

    IdempotencyKeys(JdbcTemplate jdbc, @Value("${verity.idempotency.retention:24h}") Duration retention) {
        this.jdbc = jdbc;
        this.retention = retention;
    }

    /**
     * Claims the key in the current transaction. If another transaction holds an uncommitted claim,
     * PostgreSQL makes this wait until it ends: that is what serialises concurrent retries.
     *
     * @return true when this request is the first with the key
     */
    boolean claim(UUID tenantId, String key, byte[] fingerprint) {
        return jdbc.update("INSERT INTO command_model.idempotency_keys (tenant_id, idempotency_key, request_fingerprint)"
                           + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING", tenantId, key, fingerprint) == 1;
    }

    Optional<StoredResponse> find(UUID tenantId, String key) {
        return jdbc.query("SELECT request_fingerprint, response_status, response_type, response_body, etag, location"
                          + " FROM command_model.idempotency_keys WHERE tenant_id = ? AND idempotency_key = ?",
                          (rs, row) -> new StoredResponse(rs.getBytes(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                                                          rs.getString(5), rs.getString(6)),
                          tenantId, key).stream().findFirst();
    }

    void complete(UUID tenantId, String key, StoredResponse response) {
        jdbc.update("UPDATE command_model.idempotency_keys SET response_status = ?, response_type = ?,"
                    + " response_body = ?, etag = ?, location = ? WHERE tenant_id = ? AND idempotency_key = ?",
                    response.status(), response.contentType(), response.body(), response.etag(), response.location(),
                    tenantId, key);
    }

    /** Keys are for retries, not for ever: after the retention a key may be used again. */
    @Scheduled(fixedDelayString = "${verity.idempotency.purge-interval:10m}")
    void purgeExpired() {
        jdbc.update("DELETE FROM command_model.idempotency_keys WHERE created_at < now() - make_interval(secs => ?)",
                    (double) retention.toSeconds());
    }
}
