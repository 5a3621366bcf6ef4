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
 * may come slightly out of order, so they are sorted again by distance), {@code ef_search} of at
 * least {@link #EF_SEARCH_FLOOR} and four times the limit, and a bound on the tuples one search may visit.
 * <p>
 * Which plan runs is decided here, not left to the planner, which misjudges both ends: row-level
 * security's tenant filter is estimated like any other, and the cost model does not see that an
 * exact scan detoasts 6 KB per row. For a tenant with a tenth of 100,000 obligations it chose a
 * bitmap scan of all 10,000 rows and a sort (360 ms) over the HNSW scan (7-15 ms). So a bounded
 * count first asks how many rows the filters leave: fewer than {@link #EXACT_UP_TO}, and they are
 * scanned and sorted exactly (index scans off: correct, and cheap at that size, where an HNSW scan
 * would wade through the other tenants' neighbours); otherwise sequential and bitmap scans and
 * sorts are off, so the HNSW index answers (it alone yields rows in distance order; with sorts
 * allowed, the planner still read a small crowd by the primary key and sorted it). JIT is off
 * either way: the work is in the scan, and the disabled plans' inflated costs would otherwise make
 * every search compile.
 */
@Component
class ObligationSearch {

    /** Tuples one search may visit before giving up on filling its limit (pgvector's default is 20,000). */
    static final int MAX_SCAN_TUPLES = 100_000;

    /**
     * Candidates an HNSW search keeps ({@code ef_search}) at least; four times the limit above that.
     * Over 100,000 clustered vectors of ten tenants (ObligationSearchBenchmark's data, 30 queries
     * timed inside PostgreSQL), recall@10 was 0.917 with 64, 0.937 with 200, 0.953 with 400 and
     * 0.960 with 800; median SQL time 10, 11, 22 and 31 ms on two shared cores at load 13-18.
     * The graph (m 16, ef_construction 64) limits what more candidates can add.
     */
    static final int EF_SEARCH_FLOOR = 400;

    /** Below this many matching rows a search is exact (a few milliseconds of detoasting and sorting). */
    static final int EXACT_UP_TO = 1_000;

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
        String matching = "SELECT count(*) FROM (SELECT 1 FROM read_model.elicitation_obligations o WHERE %s"
                          .formatted(String.join(" AND ", conditions)) + " LIMIT " + EXACT_UP_TO + ") m";
        return reads.read(tenantId, jdbc -> {
            Long rows = jdbc.queryForObject(matching, parameters, Long.class);
            boolean exact = rows != null && rows < EXACT_UP_TO;
            jdbc.getJdbcTemplate().queryForList("""
                    SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),
                           set_config('hnsw.ef_search', ?, true),
                           set_config('hnsw.max_scan_tuples', ?, true),
                           set_config('enable_indexscan', ?, true),
                           set_config('enable_seqscan', ?, true),
                           set_config('enable_bitmapscan', ?, true),
                           set_config('enable_sort', ?, true),
                           set_config('jit', 'off', true)""",
                    String.valueOf(Math.min(1000, Math.max(EF_SEARCH_FLOOR, 4 * limit))), String.valueOf(MAX_SCAN_TUPLES),
                    exact ? "off" : "on", exact ? "on" : "off", exact ? "on" : "off", exact ? "on" : "off");
            return jdbc.query(sql, parameters, (rs, n) -> new Hit(
                    rs.getObject("session_id", UUID.class), rs.getObject("project_id", UUID.class),
                    rs.getString("obligation_key"), rs.getString("description"), rs.getString("status"),
                    rs.getString("category"), rs.getDouble("distance")));
        });
    }
}
