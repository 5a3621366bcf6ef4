package dev.verity.query.session.query;

import com.pgvector.PGvector;
import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.beans.factory.annotation.Autowired;
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
 * enough rows pass, so every search turns it on for its own transaction ({@code set_config(...,
 * true)}, which the read-only tenant transaction of {@link TenantReads} ends): {@code relaxed_order}
 * (results may come slightly out of order, so they are sorted again by distance), {@code ef_search}
 * of at least {@link #EF_SEARCH_FLOOR} and four times the limit, and a bound on the tuples one search may visit.
 * <p>
 * Which plan runs is decided here, not left to the planner, which misjudges both ends: row-level
 * security's tenant filter is estimated like any other, and the cost model does not see that an
 * exact scan detoasts 6 KB per row. For a tenant with a tenth of 100,000 obligations it chose a
 * bitmap scan of all 10,000 rows and a sort (360 ms) over the HNSW scan (7-15 ms). So the search's
 * statement first counts, up to {@link #EXACT_UP_TO}, the rows its filters leave ({@code matching});
 * of its two branches only the one that count allows runs (the other's is a one-time filter, never
 * executed): fewer, and they are sorted exactly by a distance the index cannot serve ({@code + 0}),
 * correct and cheap at that size, where an HNSW scan would wade through the other tenants'
 * neighbours; otherwise the HNSW index answers. Sequential and bitmap scans and sorts are off for
 * the whole statement, so the count is an index-only scan of the rows with an embedding (V23; as a
 * sequential scan it took 5-12 ms, the tenant condition evaluated on every row of every tenant) and
 * the HNSW branch cannot be planned as a sort. JIT is off: the work is in the scan, and the
 * disabled plans' inflated costs would otherwise make every search compile.
 * <p>
 * So a search is two statements, the settings and the search, besides the tenant transaction's
 * own; and as the settings are the same for every search, a plan the driver's prepared statement
 * keeps is right for any tenant (PostgreSQL reuses a generic plan whatever the planner settings
 * are when it runs again, which two kinds of settings for one statement would have made wrong).
 */
@Component
class ObligationSearch {

    /** Tuples one search may visit before giving up on filling its limit (pgvector's default is 20,000). */
    static final int MAX_SCAN_TUPLES = 100_000;

    /**
     * Candidates an HNSW search keeps ({@code ef_search}) at least; four times the limit above that.
     * Over 100,000 clustered vectors of ten tenants (ObligationSearchBenchmark's data and its 200
     * searches, {@code -Dverity.bench.search.ef-sweep}), recall@10 was 0.944 with 100, 0.960 with 150,
     * 0.972 with 200, 0.987 with 300 and 0.993 with 400, at 2,066, 2,313 and 2,525 buffers per search
     * (EXPLAIN, 8 queries) with 200, 300 and 400. The same code measured 0.976 with 400 over another index
     * build and other queries, so recall moves by some 0.02 between builds: 300 keeps the goal
     * (0.95) with that margin. The graph (m 16, ef_construction 64) limits what more candidates can add.
     */
    static final int EF_SEARCH_FLOOR = 300;

    /** ef_search is at most this: pgvector's own maximum. */
    private static final int EF_SEARCH_MAX = 1_000;

    /** Below this many matching rows a search is exact (a few milliseconds of detoasting and sorting). */
    static final int EXACT_UP_TO = 1_000;

    private final TenantReads reads;
    private final int efSearchFloor;

    @Autowired
    ObligationSearch(TenantReads reads) {
        this(reads, EF_SEARCH_FLOOR);
    }

    /** With another {@code ef_search} floor: for the benchmark, which measures recall at several. */
    ObligationSearch(TenantReads reads, int efSearchFloor) {
        this.reads = reads;
        this.efSearchFloor = efSearchFloor;
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
                .addValue("limit", limit)
                .addValue("ef_search", String.valueOf(Math.min(EF_SEARCH_MAX, Math.max(efSearchFloor, 4 * limit))))
                .addValue("max_scan_tuples", String.valueOf(MAX_SCAN_TUPLES));
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
        String where = String.join(" AND ", conditions);
        String sql = """
                WITH matching AS MATERIALIZED (
                    SELECT count(*) AS rows
                      FROM (SELECT 1 FROM read_model.elicitation_obligations o WHERE %1$s LIMIT %2$d) l),
                exact AS MATERIALIZED (
                    SELECT o.session_id, o.obligation_key, o.description, o.status::text AS status, o.category,
                           o.embedding <=> :vector AS distance
                      FROM read_model.elicitation_obligations o
                     WHERE %1$s AND (SELECT rows FROM matching) < %2$d
                     ORDER BY (o.embedding <=> :vector) + 0
                     LIMIT :limit),
                hnsw AS MATERIALIZED (
                    SELECT o.session_id, o.obligation_key, o.description, o.status::text AS status, o.category,
                           o.embedding <=> :vector AS distance
                      FROM read_model.elicitation_obligations o
                     WHERE %1$s AND (SELECT rows FROM matching) >= %2$d
                     ORDER BY o.embedding <=> :vector
                     LIMIT :limit)
                SELECT n.*, s.project_id
                  FROM (SELECT * FROM exact UNION ALL SELECT * FROM hnsw) n
                  JOIN read_model.elicitation_sessions s ON s.id = n.session_id
                 ORDER BY n.distance, n.session_id, n.obligation_key""".formatted(where, EXACT_UP_TO);
        return reads.read(tenantId, jdbc -> {
            jdbc.queryForList("""
                    SELECT set_config('enable_seqscan', 'off', true),
                           set_config('enable_bitmapscan', 'off', true),
                           set_config('enable_sort', 'off', true),
                           set_config('hnsw.iterative_scan', 'relaxed_order', true),
                           set_config('hnsw.ef_search', :ef_search, true),
                           set_config('hnsw.max_scan_tuples', :max_scan_tuples, true),
                           set_config('jit', 'off', true)""", parameters);
            return jdbc.query(sql, parameters, (rs, n) -> new Hit(
                    rs.getObject("session_id", UUID.class), rs.getObject("project_id", UUID.class),
                    rs.getString("obligation_key"), rs.getString("description"), rs.getString("status"),
                    rs.getString("category"), rs.getDouble("distance")));
        });
    }
}
