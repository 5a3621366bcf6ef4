package dev.verity.query.session.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent;
import dev.verity.events.session.SessionEvent.ObligationConfidenceUpdated;
import dev.verity.events.session.SessionEvent.ObligationDependencyResolved;
import dev.verity.events.session.SessionEvent.ObligationValueExtracted;
import dev.verity.events.session.SessionEvent.SessionCompleted;
import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.SessionEvents;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The session read API over real HTTP on the live projection: each endpoint's answer and errors. */
class SessionQueryControllerTest extends QuerySideTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID sessionId = UuidV7.generate();
    private final String token = TestTokens.read(tenant);

    private long append(UUID session, SessionEvent... events) {
        long version = eventStreams.appendSession(tenant, events);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
               .until(() -> owner.queryForList("SELECT version FROM read_model.elicitation_sessions WHERE id = ?",
                                               Long.class, session).stream().anyMatch(v -> v >= version));
        return version;
    }

    /** a (satisfied, with a value and an embedding), b (depends on a, pending), c (skipped). */
    private long aSessionWithThreeObligations() {
        return append(sessionId, SessionEvents.started(sessionId, tenant, project),
                      SessionEvents.added(sessionId, "a", "0.00"),
                      SessionEvents.added(sessionId, "b", "0.00", "a"),
                      SessionEvents.added(sessionId, "c", "0.00"),
                      new TurnRecorded(sessionId, 1, Map.of("topic", "pricing")),
                      new ObligationValueExtracted(sessionId, "a", Map.of("name", "Acme"), "user", 1),
                      new ObligationConfidenceUpdated(sessionId, "a", new BigDecimal("0.00"), new BigDecimal("0.90"),
                                                      "user", 1),
                      SessionEvents.changed(sessionId, "a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.33"),
                      new ObligationDependencyResolved(sessionId, "b", "a", 1),
                      SessionEvents.changed(sessionId, "c", ObligationStatus.PENDING, ObligationStatus.SKIPPED, "0.50"),
                      SessionEvents.embedding(sessionId, "a", SessionEvents.vector(11)));
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as("%s", response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
    }

    private static List<String> keys(JsonNode items) {
        List<String> keys = new ArrayList<>();
        items.forEach(item -> keys.add(item.get("key").asString()));
        return keys;
    }

    @Test
    void getSession_answersTheSession_withCountsPerStatus_completeness_andItsObligations() {
        long version = aSessionWithThreeObligations();

        Response response = api().get("/api/v1/sessions/" + sessionId, token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"" + version + "\"");
        JsonNode session = response.body();
        assertThat(session.get("id").asString()).isEqualTo(sessionId.toString());
        assertThat(session.get("projectId").asString()).isEqualTo(project.toString());
        assertThat(session.get("status").asString()).isEqualTo("active");
        assertThat(session.get("sessionPhase").asString()).isEqualTo("opening");
        assertThat(session.get("turnCount").asInt()).isEqualTo(1);
        assertThat(session.get("completenessScore").decimalValue()).isEqualByComparingTo("0.50");
        assertThat(session.get("workingMemorySnapshot").get("topic").asString()).isEqualTo("pricing");
        assertThat(session.get("version").asLong()).isEqualTo(version);
        JsonNode counts = session.get("obligationCounts");
        assertThat(counts.get("satisfied").asLong()).isOne();
        assertThat(counts.get("pending").asLong()).isOne();
        assertThat(counts.get("skipped").asLong()).isOne();
        assertThat(counts.get("partial").asLong()).isZero();
        assertThat(keys(session.get("obligations"))).containsExactly("a", "b", "c");
        assertThat(session.get("obligations").get(0).has("embedding")).as("lists leave embeddings out").isFalse();
    }

    @Test
    void getSession_answers404_forAnUnknownOrAnotherTenantsSession_and400_forABadId() {
        aSessionWithThreeObligations();
        assertProblem(api().get("/api/v1/sessions/" + sessionId, TestTokens.read(UUID.randomUUID())), 404, "not_found");
        assertProblem(api().get("/api/v1/sessions/" + UuidV7.generate(), token), 404, "not_found");
        assertProblem(api().get("/api/v1/sessions/nope", token), 400, "validation_failed");
    }

    @Test
    void getSession_withMinVersion_waitsForTheProjection_or504() {
        long version = aSessionWithThreeObligations();
        var pending = api().getAsync("/api/v1/sessions/" + sessionId + "?minVersion=" + (version + 1), token);
        eventStreams.appendSession(tenant, new SessionCompleted(sessionId, "alice"));
        Response response = pending.join();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("status").asString()).isEqualTo("completed");
        assertProblem(api().get("/api/v1/sessions/" + sessionId + "?minVersion=" + (version + 50), token), 504,
                      "stale_read_model");
    }

    @Test
    void listSessions_filtersByProjectAndStatus_inKeysetPages() {
        UUID second = UuidV7.generate();
        UUID third = UuidV7.generate();
        append(sessionId, SessionEvents.started(sessionId, tenant, project));
        append(second, SessionEvents.started(second, tenant, project), new SessionCompleted(second, "alice"));
        append(third, SessionEvents.started(third, tenant, UUID.randomUUID()));

        Response first = api().get("/api/v1/sessions?projectId=" + project + "&limit=1", token);
        assertThat(first.body().get("items").get(0).get("id").asString()).isEqualTo(sessionId.toString());
        String cursor = first.body().get("nextCursor").asString();
        Response next = api().get("/api/v1/sessions?projectId=" + project + "&limit=1&cursor=" + cursor, token);
        assertThat(next.body().get("items").get(0).get("id").asString()).isEqualTo(second.toString());
        assertThat(next.body().get("nextCursor").isNull()).isTrue();
        Response completed = api().get("/api/v1/sessions?status=completed", token);
        assertThat(completed.body().get("items")).hasSize(1);
        assertProblem(api().get("/api/v1/sessions?status=finished", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/sessions?limit=0", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/sessions?cursor=forged", token), 400, "validation_failed");
    }

    @Test
    void listObligations_filtersByStatusAndCategory_withoutEmbeddings() {
        aSessionWithThreeObligations();
        String path = "/api/v1/sessions/" + sessionId + "/obligations";

        assertThat(keys(api().get(path, token).body().get("items"))).containsExactly("a", "b", "c");
        assertThat(keys(api().get(path + "?status=pending", token).body().get("items"))).containsExactly("b");
        assertThat(keys(api().get(path + "?category=profile&status=satisfied", token).body().get("items")))
                .containsExactly("a");
        assertThat(api().get(path + "?category=other", token).body().get("items")).isEmpty();
        JsonNode a = api().get(path, token).body().get("items").get(0);
        assertThat(a.has("embedding")).isFalse();
        assertThat(a.get("confidence").decimalValue()).isEqualByComparingTo("0.90");
        assertThat(a.get("extractedValue").get("name").asString()).isEqualTo("Acme");
        assertThat(a.get("satisfiedAtTurn").asInt()).isZero();
        assertProblem(api().get(path + "?status=done", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/sessions/" + UuidV7.generate() + "/obligations", token), 404, "not_found");
    }

    @Test
    void getObligation_offersItsEmbeddingOnRequest() {
        long version = aSessionWithThreeObligations();
        String path = "/api/v1/sessions/" + sessionId + "/obligations/a";

        Response plain = api().get(path, token);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.etag()).isEqualTo("\"" + version + "\"");
        assertThat(plain.body().has("embedding")).isFalse();
        assertThat(plain.body().get("dependencies").isArray()).isTrue();
        Response full = api().get(path + "?include=embedding", token);
        assertThat(full.body().get("embedding").size()).isEqualTo(1536);
        assertThat(full.body().get("embedding").get(0).floatValue()).isEqualTo(SessionEvents.vector(11)[0]);
        assertThat(api().get("/api/v1/sessions/" + sessionId + "/obligations/b?include=embedding", token)
                        .body().has("embedding")).as("no embedding yet").isFalse();
        assertProblem(api().get(path + "?include=everything", token), 400, "validation_failed");
        assertProblem(api().get("/api/v1/sessions/" + sessionId + "/obligations/zzz", token), 404, "not_found");
    }

    @Test
    void obligationEvents_listTheSeedsRowsInOrder() {
        aSessionWithThreeObligations();
        String path = "/api/v1/sessions/" + sessionId + "/obligations/";

        JsonNode a = api().get(path + "a/events", token).body().get("items");
        List<String> types = new ArrayList<>();
        a.forEach(row -> types.add(row.get("eventType").asString()));
        assertThat(types).containsExactly("created", "value_extracted", "confidence_updated", "status_changed");
        assertThat(a.get(2).get("newConfidence").decimalValue()).isEqualByComparingTo("0.90");
        assertThat(a.get(3).get("oldStatus").asString()).isEqualTo("pending");
        assertThat(a.get(3).get("newStatus").asString()).isEqualTo("satisfied");
        assertThat(a.get(3).get("turnNumber").asInt()).isZero();
        JsonNode b = api().get(path + "b/events", token).body().get("items");
        assertThat(b.get(1).get("eventType").asString()).isEqualTo("dependency_resolved");
        assertThat(b.get(1).get("metadata").get("dependencyKey").asString()).isEqualTo("a");
        assertProblem(api().get("/api/v1/sessions/" + sessionId + "/obligations/a/events",
                                TestTokens.read(UUID.randomUUID())), 404, "not_found");
    }

    @Test
    void similar_searchesFromTheStoredEmbedding_leavingItselfOut_or409WithoutOne() {
        aSessionWithThreeObligations();
        UUID other = UuidV7.generate();
        append(other, SessionEvents.started(other, tenant, project), SessionEvents.added(other, "near", "0.00"),
               SessionEvents.embedding(other, "near", SessionEvents.near(SessionEvents.vector(11), 3, 0.1)),
               SessionEvents.added(other, "far", "0.00"),
               SessionEvents.embedding(other, "far", SessionEvents.vector(12)));

        Response response = api().get("/api/v1/sessions/" + sessionId + "/obligations/a/similar?limit=5", token);

        assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
        assertThat(keys(response.body().get("items"))).containsExactly("near", "far");
        assertThat(response.body().get("items").get(0).get("projectId").asString()).isEqualTo(project.toString());
        assertProblem(api().get("/api/v1/sessions/" + sessionId + "/obligations/b/similar", token), 409,
                      "no_embedding");
        assertProblem(api().get("/api/v1/sessions/" + sessionId + "/obligations/a/similar?limit=101", token), 400,
                      "validation_failed");
        assertProblem(api().get("/api/v1/sessions/" + sessionId + "/obligations/zzz/similar", token), 404,
                      "not_found");
    }

    @Test
    void search_filtersBySessionProjectAndStatus_andAnswers400ForABadBody() {
        aSessionWithThreeObligations();
        float[] query = SessionEvents.vector(11);
        List<Float> vector = new ArrayList<>();
        for (float value : query) {
            vector.add(value);
        }
        String path = "/api/v1/obligations/search";
        Response hit = api().post(path, token, json(Map.of("vector", vector, "limit", 5, "sessionId", sessionId,
                                                           "projectId", project, "status", "satisfied")));
        assertThat(hit.status()).as("%s", hit.body()).isEqualTo(200);
        assertThat(keys(hit.body().get("items"))).containsExactly("a");
        assertThat(hit.body().get("items").get(0).get("distance").asDouble()).isLessThan(1e-5);
        assertThat(api().post(path, token, json(Map.of("vector", vector, "status", "pending"))).body().get("items"))
                .isEmpty();
        assertThat(api().post(path, token, json(Map.of("vector", vector, "projectId", UUID.randomUUID())))
                        .body().get("items")).isEmpty();

        assertProblem(api().post(path, token, json(Map.of("vector", List.of(1.0)))), 400, "validation_failed");
        assertProblem(api().post(path, token, json(Map.of("vector", vector, "limit", 0))), 400, "validation_failed");
        assertProblem(api().post(path, token, json(Map.of("vector", vector, "limit", 101))), 400, "validation_failed");
        assertProblem(api().post(path, token, json(Map.of("vector", vector, "status", "done"))), 400,
                      "validation_failed");
        List<Float> zeros = new ArrayList<>(java.util.Collections.nCopies(1536, 0f));
        assertProblem(api().post(path, token, json(Map.of("vector", zeros))), 400, "validation_failed");
        assertThat(api().post(path, token, "{\"vector\": [").status()).isEqualTo(400);
        assertProblem(api().post(path, null, json(Map.of("vector", vector))), 401, "unauthorized");
        String auditOnly = TestTokens.token(JWT_SECRET, tenant, "audit", java.time.Instant.now().plusSeconds(600));
        assertProblem(api().post(path, auditOnly, json(Map.of("vector", vector))), 403, "forbidden");
    }

    /**
     * The vector is read number by number into floats: every wrong one is a problem naming the
     * field, and a hostile body (megabytes of numbers, a NUL, nesting a hundred thousand deep)
     * a 400 once the first wrong token is read, never a 500.
     */
    @Test
    void search_namesTheWrongPartOfTheVector_andAnswersHostileBodiesWith400() {
        String path = "/api/v1/obligations/search";
        StringBuilder numbers = new StringBuilder();
        for (int i = 0; i < 1536; i++) {
            numbers.append(i == 0 ? "" : ",").append("0.5");
        }
        String valid = numbers.toString();
        assertThat(api().post(path, token, "{\"vector\": [" + valid + "], \"limit\": 1}").status()).isEqualTo(200);

        Map<String, String> wrong = new java.util.LinkedHashMap<>();
        wrong.put("{\"vector\": [" + valid.substring(4) + "]}", "vector");
        wrong.put("{\"vector\": [" + valid + ",0.5]}", "vector");
        wrong.put("{\"vector\": \"0.5\"}", "vector");
        wrong.put("{\"vector\": {\"0\": 0.5}}", "vector");
        wrong.put("{\"vector\": null}", "vector");
        wrong.put("{\"limit\": 3}", "vector");
        wrong.put("{\"vector\": [0.5,0.5,0.5,0.5,0.5,0.5,0.5,\"x\"," + valid.substring(32) + "]}", "vector[7]");
        wrong.put("{\"vector\": [0.5,0.5,0.5,null," + valid.substring(16) + "]}", "vector[3]");
        wrong.put("{\"vector\": [0.5,0.5,0.5,0.5,0.5,1e39," + valid.substring(24) + "]}", "vector[5]");
        wrong.put("{\"vector\": [0.5," + "9".repeat(60) + "," + valid.substring(8) + "]}", "vector[1]");
        wrong.put("{\"vector\": [0.5,0.5,[0.5,0.5]," + valid.substring(12) + "]}", "vector[2]");
        wrong.put("{\"vector\": [true," + valid.substring(4) + "]}", "vector[0]");
        wrong.put("{\"vector\": [" + "0.5,".repeat(2_600_000) + "0.5]}", "vector");
        wrong.put("{\"vector\": " + "[".repeat(100_000) + "]}", "vector[0]");
        wrong.forEach((body, field) -> {
            Response response = api().post(path, token, body);
            assertProblem(response, 400, "validation_failed");
            assertThat(response.body().get("errors").get(0).get("field").asString())
                    .as("%.80s", body).isEqualTo(field);
        });

        for (String hostile : List.of("{\"vector\": [0.5,\u0000]}", "\u0000", "{\"x\": " + "[".repeat(100_000),
                                      "{\"x\": \"" + "a".repeat(10_000_000) + "\"}",
                                      "{\"vector\": [NaN," + valid.substring(4) + "]}",
                                      "{\"vector\": [" + valid + "], \"limit\": \"ten\"}")) {
            assertThat(api().post(path, token, hostile).status()).as("%.80s", hostile).isEqualTo(400);
        }
    }

    @Test
    void otherWritesOnTheQueryApi_stillAnswer405() {
        assertProblem(api().post("/api/v1/sessions", token, "{}"), 405, "method_not_allowed");
        assertProblem(api().post("/api/v1/obligations/search/more", token, "{}"), 405, "method_not_allowed");
    }

    private String json(Object value) {
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(value).toString();
    }
}
