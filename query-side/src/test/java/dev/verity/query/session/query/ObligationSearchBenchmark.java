package dev.verity.query.session.query;

import com.pgvector.PGvector;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import dev.verity.query.platform.tenancy.TenantReads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Searches sent first and not timed, so that the figures are of a warm server, as in production. */
    private static final int WARM_UP = 20;

    @LocalServerPort
    private int port;

    @Autowired
    private JsonMapper json;

    @Autowired
    private ObligationSearch obligationSearch;

    @Autowired
    private TenantReads reads;

    private static float[] around(Random random, float[] center, double spread) {
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) (center[i] + spread * random.nextGaussian());
        }
        return vector;
    }

    /**
     * The rows of an earlier run at the same size are reused when the index over them is there, so
     * repeated runs on one database measure the searches without loading and building again
     * (the queries come from a random generator of their own, so they are the same either way).
     */
    @Test
    void searchFigures() throws Exception {
        List<UUID> tenants = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            tenants.add(new UUID(0x0190c3a000007000L, 0x8000000000000000L | t));
        }
        float[][] centers = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centers[c] = around(random, new float[DIMENSIONS], 1.0);
        }
        EmbeddingIndex index = new EmbeddingIndex(owner);
        long loadedRows = owner.queryForObject(
                "SELECT count(*) FROM read_model.elicitation_obligations WHERE tenant_id = ANY (?::uuid[])", Long.class,
                (Object) tenants.stream().map(UUID::toString).toArray(String[]::new));
        if (loadedRows == obligations && index.exists()) {
            System.out.printf("search bench: reusing the %d obligations and the HNSW index of an earlier run%n",
                              obligations);
        } else {
            owner.update("DELETE FROM read_model.elicitation_obligations WHERE tenant_id = ANY (?::uuid[])",
                         (Object) tenants.stream().map(UUID::toString).toArray(String[]::new));
            load(tenants, centers, index);
        }

        Random queryRandom = new Random(20261202L);
        List<Search> searches = new ArrayList<>();
        for (int q = 0; q < WARM_UP + queries; q++) {
            UUID tenant = tenants.get(queryRandom.nextInt(TENANTS));
            float[] query = around(queryRandom, centers[queryRandom.nextInt(CLUSTERS)], 0.35);
            List<Float> vector = new ArrayList<>();
            for (float value : query) {
                vector.add(value);
            }
            // Serialized and signed before the clock starts: the figure is the server's.
            searches.add(new Search(tenant, query, TestTokens.read(tenant),
                                    json.writeValueAsString(Map.of("vector", vector, "limit", K))));
        }
        // One client, one kept-alive HTTP/1.1 connection, as a service calling the API would hold.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long[] latencies = new long[queries];
        List<Set<String>> exactAnswers = new ArrayList<>();
        double recall = 0;
        for (int q = 0; q < searches.size(); q++) {
            Search search = searches.get(q);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port
                                                                    + "/api/v1/obligations/search"))
                                             .header("Authorization", "Bearer " + search.token())
                                             .header("Content-Type", "application/json")
                                             .POST(HttpRequest.BodyPublishers.ofString(search.body())).build();
            long started = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - started;
            assertThat(response.statusCode()).as("%s", response.body()).isEqualTo(200);
            if (q < WARM_UP) {
                continue;
            }
            latencies[q - WARM_UP] = took;
            Set<String> found = new HashSet<>();
            json.readTree(response.body()).get("items").forEach(item -> found.add(item.get("key").asString()));
            Set<String> exact = new HashSet<>(owner.queryForList(
                    "SELECT obligation_key FROM read_model.elicitation_obligations WHERE tenant_id = ?"
                    + " ORDER BY embedding::real[]::vector <=> ?::vector LIMIT " + K, String.class, search.tenant(),
                    new PGvector(search.vector()).getValue()));
            exactAnswers.add(Set.copyOf(exact));
            exact.retainAll(found);
            recall += exact.size() / (double) K;
        }
        Arrays.sort(latencies);
        breakdown(searches.subList(WARM_UP, searches.size()));
        for (String ef : System.getProperty("verity.bench.search.ef-sweep", "").split(",")) {
            if (!ef.isBlank()) {
                sweep(Integer.parseInt(ef.trim()), searches.subList(WARM_UP, searches.size()), exactAnswers);
            }
        }
        System.out.printf("search bench: %d obligations over %d tenants, %d clusters, %d dimensions%n",
                          obligations, TENANTS, CLUSTERS, DIMENSIONS);
        System.out.printf("search bench: %d searches (limit %d, one tenant each, after %d to warm up) p50 %.1f ms"
                          + " p99 %.1f ms, recall@%d %.3f against exact search (load average %s)%n", queries, K,
                          WARM_UP, latencies[queries / 2] / 1e6,
                          latencies[Math.min(queries - 1, (int) (queries * 0.99))] / 1e6, K, recall / queries,
                          loadAverage());
    }

    /**
     * Where a search's time goes, its parts run in this JVM one after the other for the same
     * requests: reading the request body as the controller's message converter does, the SQL
     * (the tenant transaction and its statements, as {@link ObligationSearch#nearest} runs them) and
     * writing the answer. Medians of wall time and of this thread's CPU time (which load does not
     * stretch); what the HTTP figure has beyond their sum is Tomcat, security and the client.
     */
    private void breakdown(List<Search> searches) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int n = searches.size();
        long[][] wall = new long[3][n];
        long[][] cpu = new long[3][n];
        for (int q = 0; q < n; q++) {
            Search search = searches.get(q);
            long w0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            ObligationSearchController.SearchRequest request = json.readValue(
                    search.body().getBytes(StandardCharsets.UTF_8), ObligationSearchController.SearchRequest.class);
            float[] vector = request.vector();
            long w1 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            List<ObligationSearch.Hit> hits = obligationSearch.nearest(
                    search.tenant(), vector, request.limit(), new ObligationSearch.Filter(null, null, null, null, null));
            long w2 = System.nanoTime();
            long c2 = threads.getCurrentThreadCpuTime();
            byte[] answer = json.writeValueAsBytes(new ObligationSearchController.Items<>(hits));
            long w3 = System.nanoTime();
            long c3 = threads.getCurrentThreadCpuTime();
            assertThat(answer.length).isPositive();
            wall[0][q] = w1 - w0;
            wall[1][q] = w2 - w1;
            wall[2][q] = w3 - w2;
            cpu[0][q] = c1 - c0;
            cpu[1][q] = c2 - c1;
            cpu[2][q] = c3 - c2;
        }
        String[] parts = {"request body read", "SQL (nearest)", "answer written"};
        for (int p = 0; p < parts.length; p++) {
            Arrays.sort(wall[p]);
            Arrays.sort(cpu[p]);
            System.out.printf("search bench: part %-18s median %.2f ms wall, %.2f ms CPU of this JVM (load average %s)%n",
                              parts[p], wall[p][n / 2] / 1e6, cpu[p][n / 2] / 1e6, loadAverage());
        }
    }

    /**
     * Recall and SQL time of the same searches with another {@code ef_search} floor
     * ({@code -Dverity.bench.search.ef-sweep=100,200,400}), through {@link ObligationSearch} itself.
     */
    private void sweep(int efSearch, List<Search> searches, List<Set<String>> exactAnswers) {
        ObligationSearch search = new ObligationSearch(reads, efSearch);
        long[] took = new long[searches.size()];
        double recall = 0;
        for (int q = 0; q < searches.size(); q++) {
            long started = System.nanoTime();
            List<ObligationSearch.Hit> hits = search.nearest(searches.get(q).tenant(), searches.get(q).vector(), K,
                                                             new ObligationSearch.Filter(null, null, null, null, null));
            took[q] = System.nanoTime() - started;
            Set<String> found = new HashSet<>();
            hits.forEach(hit -> found.add(hit.key()));
            found.retainAll(exactAnswers.get(q));
            recall += found.size() / (double) K;
        }
        Arrays.sort(took);
        System.out.printf("search bench: ef_search %d: recall@%d %.3f, SQL median %.1f ms p99 %.1f ms (load average %s)%n",
                          efSearch, K, recall / searches.size(), took[took.length / 2] / 1e6,
                          took[Math.min(took.length - 1, (int) (took.length * 0.99))] / 1e6, loadAverage());
    }

    private record Search(UUID tenant, float[] vector, String token, String body) {
    }

    private void load(List<UUID> tenants, float[][] centers, EmbeddingIndex index) {
        List<UUID> sessions = new ArrayList<>();
        for (UUID tenant : tenants) {
            sessions.add(UUID.randomUUID());
            owner.update("INSERT INTO read_model.elicitation_sessions (id, tenant_id, project_id, status, created_at,"
                         + " updated_at, version) VALUES (?, ?, ?, 'active', now(), now(), 0)",
                         sessions.get(sessions.size() - 1), tenant, UUID.randomUUID());
        }
        index.drop();
        long loading = System.nanoTime();
        long built;
        try {
            ObligationCopy copy = new ObligationCopy(DIMENSIONS);
            for (int i = 0; i < obligations; i++) {
                int t = i % TENANTS;
                copy.add(UUID.randomUUID(), tenants.get(t), sessions.get(t), "bench-" + i,
                         around(random, centers[random.nextInt(CLUSTERS)], 0.35), i);
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
                          + " workers; load average %s)%n", built / 1e3, loadAverage());
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
