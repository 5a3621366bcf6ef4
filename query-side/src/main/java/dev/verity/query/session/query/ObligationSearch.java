package dev.verity.query.session.query;

import com.pgvector.PGvector;
import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Nearest obligations of one tenant by cosine distance over the HNSW index.
 * <p>
 * An HNSW scan with a filter (row-level security's tenant, a session, a status) finds its
 * {@code ef_search} nearest candidates first and filters them after, so a selective filter can
 * leave fewer rows than asked for. pgvector 0.8's iterative index scan keeps scanning until
 * enough rows pass, so every search turns it on for its own transaction ({@code SET LOCAL}, which
 * the read-only tenant transaction of {@link TenantReads} ends): {@code relaxed_order} (results
 * may come slightly out of order, so they are sorted again by distance), {@code ef_search} at
 * least twice the limit, and a bound on the tuples one search may visit.
 */
@Component
class ObligationSearch {

    /** Tuples one search may visit before giving up on filling its limit (pgvector's default is 20,000). */
    static final int MAX_SCAN_TUPLES = 100_000;

    private final TenantReads reads;

    ObligationSearch(TenantReads reads) {
        this.reads = reads;
    }

    /** Null filters match anything; {@code exclude} leaves one obligation (session, key) out. */
    record Filter(UUID projectId, UUID sessionId, String status, UUID excludeSession, String excludeKey) {
    }

    record Hit(UUID sessionId, UUID projectId, String key, String description, String status, String category,
               double distance) {
    }

    List<Hit> nearest(UUID tenantId, float[] vector, int limit, Filter filter) {
        List<String> conditions = new ArrayList<>(List.of("o.embedding IS NOT NULL"));
        MapSqlParameterSource parameters = new MapSqlParameterSource("vector", new PGvector(vector))
                .addValue("limit", limit);
        if (filter.sessionId() != null) {
            conditions.add("o.session_id = :session_id");
            parameters.addValue("session_id", filter.sessionId());
        }
        if (filter.status() != null) {
            conditions.add("o.status = CAST(:status AS read_model.obligation_status)");
            parameters.addValue("status", filter.status());
        }
        if (filter.projectId() != null) {
            conditions.add("o.session_id IN (SELECT s.id FROM read_model.elicitation_sessions s"
                           + " WHERE s.project_id = :project_id)");
            parameters.addValue("project_id", filter.projectId());
        }
        if (filter.excludeSession() != null) {
            conditions.add("NOT (o.session_id = :exclude_session AND o.obligation_key = :exclude_key)");
            parameters.addValue("exclude_session", filter.excludeSession()).addValue("exclude_key", filter.excludeKey());
        }
        String sql = """
                WITH nearest AS MATERIALIZED (
                    SELECT o.session_id, o.obligation_key, o.description, o.status::text AS status, o.category,
                           o.embedding <=> :vector AS distance
                      FROM read_model.elicitation_obligations o
                     WHERE %s
                     ORDER BY o.embedding <=> :vector
                     LIMIT :limit)
                SELECT n.*, s.project_id
                  FROM nearest n JOIN read_model.elicitation_sessions s ON s.id = n.session_id
                 ORDER BY n.distance, n.session_id, n.obligation_key""".formatted(String.join(" AND ", conditions));
        return reads.read(tenantId, jdbc -> {
            jdbc.getJdbcTemplate().execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
            jdbc.getJdbcTemplate().execute("SET LOCAL hnsw.ef_search = " + Math.min(1000, Math.max(64, 2 * limit)));
            jdbc.getJdbcTemplate().execute("SET LOCAL hnsw.max_scan_tuples = " + MAX_SCAN_TUPLES);
            return jdbc.query(sql, parameters, (rs, n) -> new Hit(
                    rs.getObject("session_id", UUID.class), rs.getObject("project_id", UUID.class),
                    rs.getString("obligation_key"), rs.getString("description"), rs.getString("status"),
                    rs.getString("category"), rs.getDouble("distance")));
        });
    }
}
