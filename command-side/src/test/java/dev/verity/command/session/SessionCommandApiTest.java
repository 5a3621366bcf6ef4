package dev.verity.command.session;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Every session command endpoint over real HTTP: its success and each error it can return. */
class SessionCommandApiTest extends IntegrationTest {

    private static final UUID PROJECT = UUID.fromString("0190c3a0-0000-7000-8000-000000000001");

    private Response post(String path, Object body, String... headers) {
        return http.post(path, token, body, headers);
    }

    private Response put(String path, Object body) {
        try {
            String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
            return http.send("PUT", path, token, "application/json", HttpRequest.BodyPublishers.ofString(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private UUID startSession() {
        Response response = post("/api/v1/sessions", Map.of("projectId", PROJECT));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        return UUID.fromString((String) response.get("id"));
    }

    private Response addObligation(UUID session, String key, Object... extra) {
        Map<String, Object> body = new HashMap<>(Map.of("key", key, "description", "Learn " + key));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return post("/api/v1/sessions/" + session + "/obligations", body);
    }

    private void ok(Response response, int status) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        assertThat(response.get("detail")).isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static List<String> fields(Response response) {
        return ((List<Map<String, String>>) response.get("errors")).stream().map(error -> error.get("field")).toList();
    }

    private static List<Double> vector(double value) {
        return new ArrayList<>(Collections.nCopies(Session.EMBEDDING_DIMENSIONS, value));
    }

    private String obligations(UUID session) {
        return "/api/v1/sessions/" + session + "/obligations";
    }

    // --- sessions --------------------------------------------------------------------------------

    @Test
    void start_returns201_withIdVersionLocationAndETag() {
        UUID id = UUID.randomUUID();
        Response response = post("/api/v1/sessions", Map.of("id", id, "projectId", PROJECT,
                                                            "objectiveId", UUID.randomUUID()));

        ok(response, 201);
        assertThat(response.body()).containsEntry("id", id.toString()).containsEntry("version", 0);
        assertThat(response.header("Location")).endsWith("/api/v1/sessions/" + id);
        assertThat(response.header("ETag")).isEqualTo("\"0\"");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void start_returns400_withoutProjectId_andAlreadyExists_forATakenId() {
        assertThat(fields(post("/api/v1/sessions", Map.of()))).contains("projectId");
        UUID id = startSession();
        assertProblem(post("/api/v1/sessions", Map.of("id", id, "projectId", PROJECT)), 409, "already_exists");
    }

    @Test
    void turns_incrementTheVersion_withOrWithoutASnapshot() {
        UUID id = startSession();
        ok(post("/api/v1/sessions/" + id + "/turns", null), 200);
        Response response = post("/api/v1/sessions/" + id + "/turns", Map.of("workingMemorySnapshot",
                                                                             Map.of("topic", "pricing")));
        ok(response, 200);
        assertThat(response.get("version")).isEqualTo(2);
    }

    @Test
    void turns_return404_forAnotherTenantsSession_and412_forAStaleIfMatch() {
        UUID id = startSession();
        String otherToken = dev.verity.command.support.TestTokens.token(UUID.randomUUID(), "write");
        assertProblem(http.post("/api/v1/sessions/" + id + "/turns", otherToken, null), 404, "not_found");
        assertProblem(post("/api/v1/sessions/" + UUID.randomUUID() + "/turns", null), 404, "not_found");
        assertProblem(post("/api/v1/sessions/" + id + "/turns", null, "If-Match", "\"7\""), 412, "version_mismatch");
    }

    @Test
    void turns_return400_forAStrayField_orASecretInTheSnapshot() {
        UUID id = startSession();
        assertProblem(post("/api/v1/sessions/" + id + "/turns", Map.of("snapshot", Map.of())), 400, "malformed_request");
        assertProblem(post("/api/v1/sessions/" + id + "/turns",
                           Map.of("workingMemorySnapshot", Map.of("password", "hunter2hunter2"))), 400,
                      "secret_rejected");
        assertProblem(post("/api/v1/sessions/" + id + "/turns",
                           Map.of("workingMemorySnapshot", Map.of("note", "a\u0000b"))), 400, "validation_failed");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void phase_movesForward_andAnswers409_backwards_and400_forAnUnknownPhase() {
        UUID id = startSession();
        ok(post("/api/v1/sessions/" + id + "/phase", Map.of("phase", "validation")), 200);
        assertProblem(post("/api/v1/sessions/" + id + "/phase", Map.of("phase", "exploration")), 409,
                      "invalid_transition");
        assertThat(fields(post("/api/v1/sessions/" + id + "/phase", Map.of("phase", "later")))).contains("phase");
    }

    @Test
    void complete_answers409_whileAnObligationIsPending_then200_andTheSessionIsClosed() {
        UUID id = startSession();
        ok(addObligation(id, "name"), 201);
        assertProblem(post("/api/v1/sessions/" + id + "/complete", null), 409, "obligations_outstanding");
        ok(post(obligations(id) + "/name/status", Map.of("status", "satisfied")), 200);
        ok(post("/api/v1/sessions/" + id + "/complete", Map.of()), 200);
        assertProblem(post("/api/v1/sessions/" + id + "/complete", null), 409, "invalid_transition");
        assertProblem(post("/api/v1/sessions/" + id + "/turns", null), 409, "session_closed");
    }

    @Test
    void abandon_answers200_then409() {
        UUID id = startSession();
        ok(post("/api/v1/sessions/" + id + "/abandon", null), 200);
        assertProblem(post("/api/v1/sessions/" + id + "/abandon", null), 409, "invalid_transition");
        assertProblem(addObligation(id, "late"), 409, "session_closed");
    }

    // --- obligations -----------------------------------------------------------------------------

    @Test
    void addObligation_returns201_withTheObligationsIdAndLocation() {
        UUID id = startSession();
        Response response = addObligation(id, "company.name", "collectionType", "direct_question",
                                          "widgetType", "text", "source", "objective", "originLayer", "objective",
                                          "originSourceId", UUID.randomUUID(), "poolId", "pool-1", "taskPriority", 2,
                                          "category", "profile", "fieldPath", "company.name",
                                          "satisfiedWhen", "a name is given", "expertiseRequired", "none",
                                          "followUpStrategy", "rephrase", "maxAttempts", 5);

        ok(response, 201);
        assertThat(response.get("id")).isNotEqualTo(id.toString());
        assertThat(response.get("version")).isEqualTo(1);
        assertThat(response.header("Location")).endsWith("/api/v1/sessions/" + id + "/obligations/company.name");
    }

    @Test
    void addObligation_answers400_unknownDependency_andDependencyCycle_and409_forADuplicateKey() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        assertProblem(addObligation(id, "b", "dependencies", List.of("nope")), 400, "unknown_dependency");
        assertProblem(addObligation(id, "b", "dependencies", List.of("b")), 400, "dependency_cycle");
        assertProblem(addObligation(id, "a"), 409, "already_exists");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void addObligation_answers400_naming_eachBadField() {
        UUID id = startSession();
        assertThat(fields(post(obligations(id), Map.of("key", "has space", "fieldPath", "x".repeat(501),
                                                       "maxAttempts", 0))))
                .contains("key", "fieldPath", "maxAttempts");
        assertThat(fields(post(obligations(id), Map.of("description", "no key")))).contains("key");
        assertThat(fields(addObligation(id, "a", "dependencies", List.of("ok", "not ok")))).contains("dependencies[1]");
        assertProblem(addObligation(id, "a", "taskPriority", "high"), 400, "malformed_request");
        assertProblem(addObligation(id, "a", "description", "key=AKIAIOSFODNN7EXAMPLE"), 400, "secret_rejected");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void attempts_countUpToMaxAttempts_thenAnswer409AttemptsExhausted() {
        UUID id = startSession();
        ok(addObligation(id, "a", "maxAttempts", 2), 201);
        ok(post(obligations(id) + "/a/attempts", null), 200);
        ok(post(obligations(id) + "/a/attempts", Map.of()), 200);
        assertProblem(post(obligations(id) + "/a/attempts", null), 409, "attempts_exhausted");
        assertProblem(post(obligations(id) + "/nope/attempts", null), 404, "obligation_not_found");
        assertProblem(post(obligations(id) + "/not%20a%20key/attempts", null), 404, "obligation_not_found");
    }

    @Test
    void value_acceptsAnyJsonValue_withAConfidenceOfTwoDecimals() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        ok(post(obligations(id) + "/a/value", Map.of("extractedValue", Map.of("name", "Acme"), "confidence", 0.85,
                                                      "source", "user")), 200);
        ok(post(obligations(id) + "/a/value", Map.of("extractedValue", List.of("x", 1, true))), 200);
        Response response = post(obligations(id) + "/a/value", Map.of("extractedValue", "Acme", "confidence", 0.9));
        ok(response, 200);
        // value, confidence, value, value, confidence
        assertThat(eventCount(id)).isEqualTo(7);
    }

    @Test
    void value_answers400_forTooManyDecimals_outOfRange_missingValue_orAnOversizedValue() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        assertThat(fields(post(obligations(id) + "/a/value", Map.of("extractedValue", "x", "confidence", 0.123))))
                .containsExactly("confidence");
        assertThat(fields(post(obligations(id) + "/a/value", Map.of("extractedValue", "x", "confidence", 1.5))))
                .containsExactly("confidence");
        assertThat(fields(post(obligations(id) + "/a/value", Map.of("confidence", 0.5)))).contains("extractedValue");
        assertThat(fields(post(obligations(id) + "/a/value", Map.of("extractedValue", List.of("y".repeat(70_000))))))
                .containsExactly("extractedValue");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void negotiation_answers200_and400_withoutAnObjectState() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        ok(post(obligations(id) + "/a/negotiation", Map.of("negotiationState", Map.of("userSays", "not quite"))), 200);
        assertProblem(post(obligations(id) + "/a/negotiation", Map.of("negotiationState", "text")), 400,
                      "malformed_request");
    }

    @Test
    void status_answers409_dependenciesUnsatisfied_thenResolvesTheDependents() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        ok(addObligation(id, "b", "dependencies", List.of("a")), 201);
        assertProblem(post(obligations(id) + "/b/status", Map.of("status", "satisfied")), 409,
                      "dependencies_unsatisfied");
        Response response = post(obligations(id) + "/a/status", Map.of("status", "satisfied", "agentNotes", "given"));
        ok(response, 200);
        // status changed + dependency resolved for b
        assertThat(response.get("version")).isEqualTo(4);
        ok(post(obligations(id) + "/b/status", Map.of("status", "satisfied")), 200);
    }

    @Test
    void status_answers409_invalidTransition_and400_forAnUnknownStatus() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        ok(post(obligations(id) + "/a/status", Map.of("status", "skipped")), 200);
        assertProblem(post(obligations(id) + "/a/status", Map.of("status", "pending")), 409, "invalid_transition");
        assertThat(fields(post(obligations(id) + "/a/status", Map.of("status", "done")))).contains("status");
    }

    @Test
    void merge_answers200_and409_forACycle_and404_forAnUnknownKey_and400_forABadBody() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        ok(addObligation(id, "x", "dependencies", List.of("a")), 201);
        ok(addObligation(id, "t", "dependencies", List.of("x")), 201);
        ok(addObligation(id, "u"), 201);
        assertProblem(post(obligations(id) + "/merge", Map.of("sourceKeys", List.of("a"), "intoKey", "t")), 409,
                      "dependency_cycle");
        assertProblem(post(obligations(id) + "/merge", Map.of("sourceKeys", List.of("nope"), "intoKey", "t")), 404,
                      "obligation_not_found");
        assertThat(fields(post(obligations(id) + "/merge", Map.of("sourceKeys", List.of(), "intoKey", "t"))))
                .contains("sourceKeys");
        assertProblem(post(obligations(id) + "/merge", Map.of("sourceKeys", List.of("t"), "intoKey", "t")), 400,
                      "invalid_input");
        Response response = post(obligations(id) + "/merge", Map.of("sourceKeys", List.of("a"), "intoKey", "u"));
        ok(response, 200);
        assertThat(response.header("Location")).endsWith("/obligations/u");
    }

    @Test
    void split_answers200_and400_forFewerThanTwoParts_and409_forATakenKey() {
        UUID id = startSession();
        ok(addObligation(id, "addr"), 201);
        ok(addObligation(id, "city"), 201);
        assertThat(fields(post(obligations(id) + "/addr/split", Map.of("into", List.of(Map.of("key", "street"))))))
                .contains("into");
        assertProblem(post(obligations(id) + "/addr/split", Map.of("into", List.of(Map.of("key", "street"),
                                                                                   Map.of("key", "city")))),
                      409, "already_exists");
        assertThat(fields(post(obligations(id) + "/addr/split", Map.of("into", List.of(Map.of("key", "a b"),
                                                                                       Map.of("key", "c"))))))
                .contains("into[0].key");
        Response response = post(obligations(id) + "/addr/split",
                                 Map.of("into", List.of(Map.of("key", "street"),
                                                        Map.of("key", "zip", "dependencies", List.of("street")))));
        ok(response, 200);
        assertThat(response.get("version")).isEqualTo(5);
    }

    // --- embeddings ------------------------------------------------------------------------------

    @Test
    void embedding_isAPut_storingAll1536NumbersInTheEvent() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        List<Double> vector = vector(0.01);
        vector.set(5, -0.123456789);

        Response response = put(obligations(id) + "/a/embedding", Map.of("vector", vector));

        ok(response, 200);
        assertThat(response.header("ETag")).isEqualTo("\"2\"");
        String payload = jdbc.queryForObject("SELECT convert_from(payload, 'UTF8') FROM event_store.domain_event_entry"
                                             + " WHERE aggregate_identifier = ? AND sequence_number = 2", String.class,
                                             id.toString());
        assertThat(payload).contains("\"embedding\":[0.01,0.01,0.01,0.01,0.01,-0.12345679,");
        assertThat(payload.length()).isBetween(6_000, 20_000);
    }

    @Test
    void embedding_answers400_forAWrongDimension_aNumberNoFloatHolds_orNoVector() {
        UUID id = startSession();
        ok(addObligation(id, "a"), 201);
        assertThat(fields(put(obligations(id) + "/a/embedding", Map.of("vector", List.of(1.0, 2.0)))))
                .containsExactly("vector");
        List<Double> huge = vector(0.5);
        huge.set(9, 1e39);
        assertThat(fields(put(obligations(id) + "/a/embedding", Map.of("vector", huge)))).containsExactly("vector[9]");
        assertProblem(put(obligations(id) + "/a/embedding", "{\"vector\": [1e400]}"), 400, "malformed_request");
        assertThat(fields(put(obligations(id) + "/a/embedding", Map.of()))).contains("vector");
        assertProblem(put(obligations(id) + "/nope/embedding", Map.of("vector", vector(0.1))), 404,
                      "obligation_not_found");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void embedding_answers405_forPost_andOtherPathsStillTakeOnlyPost() {
        UUID id = startSession();
        Response post = post(obligations(id) + "/a/embedding", Map.of("vector", List.of()));
        assertProblem(post, 405, "method_not_allowed");
        assertThat(post.header("Allow")).isEqualTo("PUT");
        Response put = put("/api/v1/sessions/" + id + "/turns", Map.of());
        assertProblem(put, 405, "method_not_allowed");
        assertThat(put.header("Allow")).isEqualTo("POST");
    }

    @Test
    void embedding_answers403_withoutTheWriteScope() {
        UUID id = startSession();
        String readOnly = dev.verity.command.support.TestTokens.token(tenant, "read");
        Response response = http.send("PUT", obligations(id) + "/a/embedding", readOnly, "application/json",
                                      HttpRequest.BodyPublishers.ofString("{}"));
        assertProblem(response, 403, "forbidden");
    }

    // --- races -----------------------------------------------------------------------------------

    @Test
    void racingAttempts_neverExceedMaxAttempts_andLosersHear409() throws Exception {
        UUID id = startSession();
        ok(addObligation(id, "a", "maxAttempts", 3), 201);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> post(obligations(id) + "/a/attempts", null)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> future : futures) {
                statuses.add(future.get().status());
            }
            assertThat(statuses).containsOnly(200, 409);
            long successes = statuses.stream().filter(status -> status == 200).count();
            assertThat(successes).isBetween(1L, 3L);
            assertThat(eventCount(id)).isEqualTo(2 + successes);
        } finally {
            pool.shutdownNow();
        }
    }
}
