package dev.verity.query.session.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.session.SessionEvent;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.SessionEvents;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pitfall HNSW has with filters: a tenant whose 20 obligations sit among thousands of another
 * tenant's must still get all 20 back for {@code limit} 20, although row-level security filters
 * the index scan's candidates. The bulk rows are written in one INSERT ... SELECT as the table
 * owner (no events: they stand for another tenant's data) with the HNSW index dropped, which is then
 * built over them once; the tenant's own 20 arrive afterwards through the projection, into the
 * built index. The crowd is deleted afterwards and the index built again without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObligationSearchTest extends QuerySideTest {

    /**
     * 20,000 as the issue asks with {@code -Dverity.search.crowd=20000}; 2,000 by default. Building
     * the HNSW graph over 20,000 random vectors of 1536 dimensions took 67 s on two cores at load 4-10
     * (this class 117 s) and 220 s at load 15-20 (5 min 39 s), against 5 s for the whole class at
     * 2,000; the distance itself already runs on AVX/FMA. Either way the tenant's 20 rows are 1% or
     * less of what the index holds, far fewer than one {@code ef_search} worth of candidates.
     */
    private static final int CROWD = Integer.getInteger("verity.search.crowd", 2_000);
    private static final int OWN = 20;

    private final UUID tenant = UUID.randomUUID();
    private final UUID crowdTenant = UUID.randomUUID();
    private final UUID sessionId = UuidV7.generate();
    private final UUID crowdSession = UuidV7.generate();
    private final Set<String> ownKeys = new HashSet<>();

    @Autowired
    private JsonMapper json;

    private EmbeddingIndex index;

    @BeforeAll
    void twentyObligationsAmongThousandsOfAnotherTenant() {
        index = new EmbeddingIndex(owner);
        long started = System.nanoTime();
        index.drop();
        try {
            insertTheCrowd();
        } finally {
            long loaded = System.nanoTime();
            long built = index.build();
            System.out.printf("search test: %d crowd obligations loaded in %d ms, HNSW index built over them in %d ms%n",
                              CROWD, (loaded - started) / 1_000_000, built);
        }
        List<SessionEvent> events = new ArrayList<>(List.of(SessionEvents.started(sessionId, tenant, UUID.randomUUID())));
        for (int i = 0; i < OWN; i++) {
            String key = "own-" + i;
            ownKeys.add(key);
            events.add(SessionEvents.added(sessionId, key, "0.00"));
            events.add(SessionEvents.embedding(sessionId, key, SessionEvents.vector(1000 + i)));
        }
        long last = eventStreams.appendSession(tenant, events.toArray(SessionEvent[]::new));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
               .until(() -> owner.queryForList("SELECT version FROM read_model.elicitation_sessions WHERE id = ?",
                                               Long.class, sessionId).stream().anyMatch(v -> v >= last));
        owner.execute("ANALYZE read_model.elicitation_obligations");
    }

    private void insertTheCrowd() {
        owner.update("""
                INSERT INTO read_model.elicitation_sessions (id, tenant_id, project_id, status, created_at, updated_at,
                                                             version)
                VALUES (?, ?, ?, 'active', now(), now(), 0)""", crowdSession, crowdTenant, UUID.randomUUID());
        owner.update("""
                INSERT INTO read_model.elicitation_obligations (id, tenant_id, session_id, obligation_key, status,
                                                                embedding, sequence_number, created_at, updated_at)
                SELECT gen_random_uuid(), ?, ?, 'crowd-' || g, 'pending',
                       (SELECT array_agg(random() - 0.5)::real[] FROM generate_series(1, 1536) WHERE g > 0)::vector,
                       g, now(), now()
                  FROM generate_series(1, ?) AS g""", crowdTenant, crowdSession, CROWD);
    }

    @AfterAll
    void removeTheCrowd() {
        owner.update("DELETE FROM read_model.elicitation_obligations WHERE tenant_id = ?", crowdTenant);
        owner.update("DELETE FROM read_model.elicitation_sessions WHERE tenant_id = ?", crowdTenant);
        index.rebuild();
    }

    private Response search(Map<String, Object> body, String token) {
        return api().post("/api/v1/obligations/search", token, json.writeValueAsString(body));
    }

    private static List<Float> list(float[] vector) {
        List<Float> list = new ArrayList<>();
        for (float value : vector) {
            list.add(value);
        }
        return list;
    }

    private static List<String> keys(Response response) {
        List<String> keys = new ArrayList<>();
        response.body().get("items").forEach(item -> keys.add(item.get("key").asString()));
        return keys;
    }

    @Test
    void aFilteredSearch_returnsAllTwentyOfTheTenantsObligations_amongThousandsOfOthers() {
        for (long seed : List.of(7L, 8L, 9L)) {
            long started = System.nanoTime();
            Response response = search(Map.of("vector", list(SessionEvents.vector(seed)), "limit", OWN),
                                       TestTokens.read(tenant));
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
            assertThat(keys(response)).hasSize(OWN).containsExactlyInAnyOrderElementsOf(ownKeys);
            List<Double> distances = new ArrayList<>();
            response.body().get("items").forEach(item -> distances.add(item.get("distance").asDouble()));
            assertThat(distances).isSorted();
            System.out.printf("search test: limit %d among %d other rows answered in %d ms%n", OWN, CROWD, millis);
        }
        String plan = reads(tenant, "EXPLAIN SELECT obligation_key FROM read_model.elicitation_obligations"
                                    + " ORDER BY embedding <=> (SELECT embedding FROM read_model.elicitation_obligations"
                                    + " WHERE obligation_key = 'own-0') LIMIT 20");
        System.out.println("search test: plan\n" + plan);
    }

    @Test
    void theSearch_findsTheNearestFirst_andTheCrowdTenantNeverSeesThem() {
        float[] query = SessionEvents.near(SessionEvents.vector(1005), 1, 0.05);
        Response own = search(Map.of("vector", list(query), "limit", 3), TestTokens.read(tenant));
        assertThat(keys(own)).first().isEqualTo("own-5");
        assertThat(own.body().get("items").get(0).get("distance").asDouble()).isLessThan(0.01);
        assertThat(own.body().get("items").get(0).get("sessionId").asString()).isEqualTo(sessionId.toString());

        Response crowd = search(Map.of("vector", list(query), "limit", 100), TestTokens.read(crowdTenant));
        assertThat(keys(crowd)).hasSize(100).allMatch(key -> key.startsWith("crowd-"));
    }

    private String reads(UUID tenantId, String sql) {
        List<String> lines = reads.read(tenantId, jdbc -> {
            jdbc.getJdbcTemplate().execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
            return jdbc.getJdbcTemplate().queryForList(sql, String.class);
        });
        return String.join("\n", lines);
    }

    @Autowired
    private dev.verity.query.platform.tenancy.TenantReads reads;

    /**
     * The plan is the search's choice, not the planner's: the crowd tenant's search (more than
     * {@link ObligationSearch#EXACT_UP_TO} rows) must go through the HNSW index, the small tenant's
     * (20 rows) must not. The index's scan counter shows it; a backend publishes its counts when
     * its transaction ends or, idle, within ten seconds, hence the wait. It runs first, so that no
     * other test's search can still be on its way into the counter.
     */
    @Test
    @Order(1)
    void aLargeTenantIsSearchedThroughTheHnswIndex_aSmallOneExactly() {
        long before = hnswScans();
        float[] query = SessionEvents.vector(11);
        assertThat(search(Map.of("vector", list(query), "limit", OWN), TestTokens.read(tenant)).status()).isEqualTo(200);
        assertThat(search(Map.of("vector", list(query), "limit", 10), TestTokens.read(crowdTenant)).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
               .until(() -> hnswScans() > before);
        assertThat(hnswScans()).as("index scans: the crowd's search only").isEqualTo(before + 1);
    }

    private long hnswScans() {
        return owner.queryForObject("SELECT idx_scan FROM pg_stat_user_indexes WHERE schemaname = 'read_model'"
                                    + " AND indexrelname = ?", Long.class, EmbeddingIndex.NAME);
    }

    /** The ids a test inserted as owner are exactly what verification would flag, so the crowd is gone after. */
    @Test
    void crowdRowsBelongToTheirOwnTenantOnly() {
        JsonNode none = search(Map.of("vector", list(SessionEvents.vector(3)), "limit", 5),
                               TestTokens.read(UUID.randomUUID())).body();
        assertThat(none.get("items").size()).isZero();
    }
}
