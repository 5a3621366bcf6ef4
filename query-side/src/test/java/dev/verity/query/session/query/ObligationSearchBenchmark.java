package dev.verity.query.session.query;

import com.pgvector.PGvector;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The similarity search benchmark (not a timed test: skipped unless {@code -Dverity.bench.search=true}).
 * Fills {@code elicitation_obligations} with clustered synthetic vectors (fixed seed) over ten
 * tenants as the table owner by binary COPY, with the HNSW index dropped, builds the index over them
 * (timed), then sends searches
 * through the real API and compares each answer with an exact scan of the same tenant:
 * <pre>
 * ./mvnw -B test -pl query-side -am -Dtest=ObligationSearchBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dverity.bench.search=true [-Dverity.bench.search.obligations=100000] [-Dverity.bench.search.queries=200]
 * </pre>
 * Run it on a database of its own (it drops and rebuilds the index and leaves its rows behind).
 */
@EnabledIfSystemProperty(named = "verity.bench.search", matches = "true")
class ObligationSearchBenchmark extends QuerySideTest {

    private static final int DIMENSIONS = 1536;
    private static final int TENANTS = 10;
    private static final int CLUSTERS = 50;
    private static final int K = 10;

    private final int obligations = Integer.getInteger("verity.bench.search.obligations", 100_000);
    private final int queries = Integer.getInteger("verity.bench.search.queries", 200);
    private final Random random = new Random(20261201L);

    @Autowired
    private JsonMapper json;

    private float[] around(float[] center, double spread) {
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) (center[i] + spread * random.nextGaussian());
        }
        return vector;
    }

    @Test
    void searchFigures() {
        List<UUID> tenants = new ArrayList<>();
        List<UUID> sessions = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            tenants.add(new UUID(0x0190c3a000007000L, 0x8000000000000000L | t));
            sessions.add(UUID.randomUUID());
            owner.update("INSERT INTO read_model.elicitation_sessions (id, tenant_id, project_id, status, created_at,"
                         + " updated_at, version) VALUES (?, ?, ?, 'active', now(), now(), 0)",
                         sessions.get(t), tenants.get(t), UUID.randomUUID());
        }
        float[][] centers = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centers[c] = around(new float[DIMENSIONS], 1.0);
        }
        EmbeddingIndex index = new EmbeddingIndex(owner);
        index.drop();
        long loading = System.nanoTime();
        long built;
        try {
            ObligationCopy copy = new ObligationCopy(DIMENSIONS);
            for (int i = 0; i < obligations; i++) {
                int t = i % TENANTS;
                copy.add(UUID.randomUUID(), tenants.get(t), sessions.get(t), "bench-" + i,
                         around(centers[random.nextInt(CLUSTERS)], 0.35), i);
                if (copy.rows() == 2_000 || i == obligations - 1) {
                    copy.into(owner);
                }
            }
        } finally {
            long loaded = System.nanoTime();
            System.out.printf("search bench: %d obligations loaded by binary COPY in %.1f s%n", obligations,
                              (loaded - loading) / 1e9);
            built = index.build();
        }
        System.out.printf("search bench: HNSW index built in %.1f s (m 16, ef_construction 64, up to 2 parallel"
                          + " workers)%n", built / 1e3);

        long[] latencies = new long[queries];
        double recall = 0;
        for (int q = 0; q < queries; q++) {
            UUID tenant = tenants.get(random.nextInt(TENANTS));
            float[] query = around(centers[random.nextInt(CLUSTERS)], 0.35);
            List<Float> vector = new ArrayList<>();
            for (float value : query) {
                vector.add(value);
            }
            String body = json.writeValueAsString(Map.of("vector", vector, "limit", K));
            long started = System.nanoTime();
            Response response = api().post("/api/v1/obligations/search", TestTokens.read(tenant), body);
            latencies[q] = System.nanoTime() - started;
            assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
            Set<String> found = new HashSet<>();
            response.body().get("items").forEach(item -> found.add(item.get("key").asString()));
            Set<String> exact = new HashSet<>(owner.queryForList(
                    "SELECT obligation_key FROM read_model.elicitation_obligations WHERE tenant_id = ?"
                    + " ORDER BY embedding::real[]::vector <=> ?::vector LIMIT " + K, String.class, tenant,
                    new PGvector(query).getValue()));
            exact.retainAll(found);
            recall += exact.size() / (double) K;
        }
        Arrays.sort(latencies);
        System.out.printf("search bench: %d obligations over %d tenants, %d clusters, %d dimensions%n",
                          obligations, TENANTS, CLUSTERS, DIMENSIONS);
        System.out.printf("search bench: %d searches (limit %d, one tenant each) p50 %.1f ms p99 %.1f ms,"
                          + " recall@%d %.3f against exact search%n", queries, K,
                          latencies[queries / 2] / 1e6, latencies[Math.min(queries - 1, (int) (queries * 0.99))] / 1e6,
                          K, recall / queries);
    }
}
