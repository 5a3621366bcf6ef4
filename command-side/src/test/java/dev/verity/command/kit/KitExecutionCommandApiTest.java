package dev.verity.command.kit;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kit execution command endpoint over real HTTP: its success and each error it can return. */
class KitExecutionCommandApiTest extends IntegrationTest {

    private static final UUID PROJECT = UUID.fromString("0190c3a0-0000-7000-8000-000000000001");
    private static final String API = "/api/v1/kit-executions";
    private static final String HASH = "0123456789abcdef".repeat(4);

    private Response post(String path, Object body, String... headers) {
        return http.post(path, token, body, headers);
    }

    private static Map<String, Object> execution(Object... fields) {
        Map<String, Object> body = new HashMap<>(Map.of("projectId", PROJECT, "kitId", "landing-page",
                                                        "kitVersion", "1.2.0",
                                                        "inputSnapshot", Map.of("brief", "A landing page")));
        for (int i = 0; i < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return body;
    }

    private static Map<String, Object> output(String outputId, Object... fields) {
        Map<String, Object> body = new HashMap<>(Map.of("outputId", outputId, "filename", outputId + ".html",
                                                        "outputType", "html", "status", "valid"));
        for (int i = 0; i < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return body;
    }

    private UUID createExecution() {
        Response response = post(API, execution());
        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        return UUID.fromString((String) response.get("id"));
    }

    private UUID runningExecution() {
        UUID id = createExecution();
        assertThat(post(API + "/" + id + "/start", null).status()).isEqualTo(200);
        return id;
    }

    private String payload(UUID id, long sequence) {
        return jdbc.queryForObject("SELECT convert_from(payload, 'UTF8') FROM event_store.domain_event_entry"
                                   + " WHERE aggregate_identifier = ? AND sequence_number = ?",
                                   String.class, id.toString(), sequence);
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        assertThat(response.get("status")).isEqualTo(status);
        assertThat(response.get("detail")).isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static void assertFieldProblem(Response response, String code, String field) {
        assertProblem(response, 400, code);
        assertThat((List<Map<String, String>>) response.get("errors")).extracting(error -> error.get("field"))
                                                                      .contains(field);
    }

    @Test
    void create_returns201_pending_withIdVersionLocationAndETag() {
        UUID id = UUID.randomUUID();
        Response response = post(API, execution("id", id, "kitDefinitionId", UUID.randomUUID(),
                                                "workflowRunId", "wf-1", "inngestRunId", "run-1"));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body()).containsEntry("id", id.toString()).containsEntry("version", 0);
        assertThat(response.header("Location")).endsWith("/api/v1/kit-executions/" + id);
        assertThat(response.header("ETag")).isEqualTo("\"0\"");
        assertThat(payload(id, 0)).contains("\"userId\":\"alice\"", "\"kitId\":\"landing-page\"",
                                            "\"workflowRunId\":\"wf-1\"", "\"tenantId\":\"" + tenant + "\"");
    }

    @Test
    void create_makesAUuidV7_whenNoIdIsGiven() {
        UUID id = createExecution();

        assertThat(id.version()).isEqualTo(7);
    }

    @Test
    void create_returns400_withFieldErrors_whenRequiredFieldsAreMissing() {
        Response response = post(API, Map.of("kitId", ""));

        assertFieldProblem(response, "validation_failed", "projectId");
        assertFieldProblem(response, "validation_failed", "kitId");
        assertFieldProblem(response, "validation_failed", "kitVersion");
        assertFieldProblem(response, "validation_failed", "inputSnapshot");
    }

    @Test
    void create_returns400_whenAFieldIsLongerThanItsColumn() {
        assertFieldProblem(post(API, execution("kitId", "k".repeat(101))), "validation_failed", "kitId");
        assertFieldProblem(post(API, execution("kitVersion", "1".repeat(51))), "validation_failed", "kitVersion");
        assertFieldProblem(post(API, execution("workflowRunId", "w".repeat(256))), "validation_failed", "workflowRunId");
        assertFieldProblem(post(API, execution("inngestRunId", "")), "validation_failed", "inngestRunId");
    }

    @Test
    void create_returns400_malformedRequest_whenInputSnapshotIsNotAnObject() {
        assertFieldProblem(post(API, execution("inputSnapshot", List.of(1, 2))), "malformed_request", "inputSnapshot");
    }

    @Test
    void create_returns400_malformedRequest_forAnUnknownField() {
        assertFieldProblem(post(API, execution("outputCount", 3)), "malformed_request", "outputCount");
    }

    /** The seed: "NOT credentials — never store in execution log". Nothing of the request is stored. */
    @Test
    void create_returns400_secretRejected_forCredentialsNestedInTheInputSnapshot_andStoresNothing() {
        Map<String, Object[]> attempts = Map.of(
                "inputSnapshot.integrations.github.token",
                new Object[] {Map.of("integrations", Map.of("github", Map.of("token", "ghp_x")))},
                "inputSnapshot.steps[1].env.DATABASE_URL",
                new Object[] {Map.of("steps", List.of(Map.of("name", "build"),
                                                      Map.of("env", Map.of("DATABASE_URL",
                                                                           "postgres://app:hunter2@db/app"))))},
                "inputSnapshot.context.notes",
                new Object[] {Map.of("context", Map.of("notes", "use key AKIAIOSFODNN7EXAMPLE for the upload"))},
                "inputSnapshot.auth",
                new Object[] {Map.of("auth", Map.of("user", "bot", "pass", "s3cr3t!"))});
        attempts.forEach((field, snapshot) -> {
            UUID id = UUID.randomUUID();
            Response response = post(API, execution("id", id, "inputSnapshot", snapshot[0]));

            assertProblem(response, 400, "secret_rejected");
            assertThat(response.get("errors")).asList().singleElement()
                    .satisfies(error -> assertThat(((Map<?, ?>) error).get("field")).isEqualTo(field));
            assertThat(response.body().toString()).doesNotContain("hunter2", "AKIAIOSFODNN7EXAMPLE", "s3cr3t");
            assertThat(eventCount(id)).as(field).isZero();
        });
    }

    @Test
    void create_returns400_validationFailed_forANulInTheInputSnapshot() {
        UUID id = UUID.randomUUID();
        Response response = post(API, execution("id", id, "inputSnapshot", Map.of("brief", Map.of("text", "a\u0000b"))));

        assertFieldProblem(response, "validation_failed", "inputSnapshot.brief.text");
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void create_returns409_alreadyExists_whenTheIdIsTaken() {
        UUID id = createExecution();

        assertProblem(post(API, execution("id", id)), 409, "already_exists");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void create_retriedWithTheSameIdempotencyKey_hasOneEffect_andReplaysTheAnswer() {
        Response first = post(API, execution(), "Idempotency-Key", "kit-run-1");
        Response retry = post(API, execution(), "Idempotency-Key", "kit-run-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.get("id")).isEqualTo(first.get("id"));
        assertThat(eventCount(first.get("id"))).isEqualTo(1);
        assertProblem(post(API, execution("kitId", "other"), "Idempotency-Key", "kit-run-1"), 409,
                      "idempotency_conflict");
    }

    @Test
    void create_returns401_withoutToken() {
        assertProblem(http.post(API, null, execution()), 401, "unauthorized");
    }

    @Test
    void create_returns403_withoutWriteScope() {
        assertProblem(http.post(API, TestTokens.token(tenant, "read"), execution()), 403, "forbidden");
    }

    @Test
    void start_returns200_thenSecondStartReturns409InvalidTransition() {
        UUID id = createExecution();

        Response started = post(API + "/" + id + "/start", null);

        assertThat(started.status()).isEqualTo(200);
        assertThat(started.body()).containsEntry("id", id.toString()).containsEntry("version", 1);
        assertThat(started.header("ETag")).isEqualTo("\"1\"");
        assertProblem(post(API + "/" + id + "/start", null), 409, "invalid_transition");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void start_returns400_forAStrayField() {
        UUID id = createExecution();
        assertFieldProblem(post(API + "/" + id + "/start", Map.of("status", "running")), "malformed_request", "status");
    }

    @Test
    void start_returns412_whenIfMatchIsStale() {
        UUID id = createExecution();

        assertProblem(post(API + "/" + id + "/start", null, "If-Match", "\"3\""), 412, "version_mismatch");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void start_returns404_forAnUnknownExecution() {
        assertProblem(post(API + "/" + UUID.randomUUID() + "/start", null), 404, "not_found");
    }

    @Test
    void anotherTenantsExecution_answersExactlyAsAnUnknownId_forEveryKindOfCommand() {
        UUID id = runningExecution();
        String stranger = TestTokens.token(UUID.randomUUID(), "read write");
        UUID unknown = UUID.randomUUID();
        Map<String, Object> bodies = Map.of("/start", Map.of(), "/outputs", output("hero"), "/complete", Map.of(),
                                            "/fail", Map.of("errorMessage", "x"));

        bodies.forEach((path, body) -> {
            Response foreign = http.post(API + "/" + id + path, stranger, body);
            Response missing = http.post(API + "/" + unknown + path, stranger, body);

            assertProblem(foreign, 404, "not_found");
            Map<String, Object> foreignProblem = new HashMap<>(foreign.body());
            Map<String, Object> missingProblem = new HashMap<>(missing.body());
            foreignProblem.remove("instance");
            missingProblem.remove("instance");
            assertThat(foreignProblem).as(path).isEqualTo(missingProblem);
        });
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void anyCommand_returns400_forAMalformedId() {
        assertProblem(post(API + "/not-a-uuid/start", null), 400, "validation_failed");
    }

    @Test
    void recordOutput_returns201_withTheOutputRowsId() {
        UUID id = runningExecution();
        Response response = post(API + "/" + id + "/outputs",
                                 output("hero", "status", "warnings", "validationErrors", 0, "validationWarnings", 2,
                                        "validationAutoFixed", 1, "repairAttempts", 1,
                                        "validationDetails", Map.of("rules", List.of("alt-text")),
                                        "contentPath", "s3://bucket/hero.html", "contentSizeBytes", 2048,
                                        "contentHash", HASH, "tokenUsagePrompt", 1200, "tokenUsageCompletion", 300));

        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        assertThat(response.get("id")).isNotEqualTo(id.toString());
        assertThat(response.get("version")).isEqualTo(2);
        assertThat(response.header("Location")).endsWith("/api/v1/kit-executions/" + id);
        assertThat(payload(id, 2)).contains("\"outputRowId\":\"" + response.get("id") + "\"",
                                            "\"status\":\"WARNINGS\"", "\"tokenUsagePrompt\":1200");
    }

    @Test
    void recordOutput_returns409_alreadyExists_forTheSameOutputIdTwice_andStoresNothing() {
        UUID id = runningExecution();
        assertThat(post(API + "/" + id + "/outputs", output("hero")).status()).isEqualTo(201);

        assertProblem(post(API + "/" + id + "/outputs", output("hero", "status", "failed")), 409, "already_exists");
        assertThat(eventCount(id)).isEqualTo(3);
    }

    @Test
    void recordOutput_acceptsTheSameOutputId_inAnotherExecution() {
        assertThat(post(API + "/" + runningExecution() + "/outputs", output("hero")).status()).isEqualTo(201);
        assertThat(post(API + "/" + runningExecution() + "/outputs", output("hero")).status()).isEqualTo(201);
    }

    @Test
    void recordOutput_returns409_invalidTransition_beforeTheStart() {
        UUID id = createExecution();
        assertProblem(post(API + "/" + id + "/outputs", output("hero")), 409, "invalid_transition");
    }

    @Test
    void recordOutput_returns400_forAnUnknownStatus() {
        UUID id = runningExecution();
        assertFieldProblem(post(API + "/" + id + "/outputs", output("hero", "status", "ok")), "validation_failed",
                           "status");
    }

    @Test
    void recordOutput_returns400_withFieldErrors_whenRequiredFieldsAreMissing() {
        UUID id = runningExecution();
        Response response = post(API + "/" + id + "/outputs", Map.of());

        for (String field : List.of("outputId", "filename", "outputType", "status")) {
            assertFieldProblem(response, "validation_failed", field);
        }
    }

    @Test
    void recordOutput_returns400_forValuesTheColumnsCannotHold() {
        UUID id = runningExecution();
        String outputs = API + "/" + id + "/outputs";

        assertFieldProblem(post(outputs, output("o".repeat(101))), "validation_failed", "outputId");
        assertFieldProblem(post(outputs, output("hero", "outputType", "t".repeat(21))), "validation_failed",
                           "outputType");
        assertFieldProblem(post(outputs, output("hero", "filename", "f".repeat(256))), "validation_failed", "filename");
        assertFieldProblem(post(outputs, output("hero", "contentPath", "p".repeat(501))), "validation_failed",
                           "contentPath");
        assertFieldProblem(post(outputs, output("hero", "contentHash", "abc")), "validation_failed", "contentHash");
        assertFieldProblem(post(outputs, output("hero", "contentHash", "z".repeat(64))), "validation_failed",
                           "contentHash");
        assertFieldProblem(post(outputs, output("hero", "repairAttempts", -1)), "validation_failed", "repairAttempts");
        assertFieldProblem(post(outputs, output("hero", "tokenUsagePrompt", -5)), "validation_failed",
                           "tokenUsagePrompt");
        assertFieldProblem(post(outputs, output("hero", "contentSizeBytes", 3_000_000_000L)), "malformed_request",
                           "contentSizeBytes");
        assertFieldProblem(post(outputs, output("hero", "tokenUsagePrompt", 1.5)), "malformed_request",
                           "tokenUsagePrompt");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void recordOutput_returns400_namingTheField_whenTheExecutionsTokenTotalWouldOverflow() {
        UUID id = runningExecution();
        String outputs = API + "/" + id + "/outputs";
        assertThat(post(outputs, output("a", "tokenUsagePrompt", Integer.MAX_VALUE)).status()).isEqualTo(201);

        assertFieldProblem(post(outputs, output("b", "tokenUsagePrompt", 1)), "validation_failed", "tokenUsagePrompt");
        assertFieldProblem(post(outputs, output("c", "tokenUsageCompletion", 1)), "validation_failed",
                           "tokenUsageCompletion");
        assertThat(post(outputs, output("d", "tokenUsagePrompt", 0)).status()).isEqualTo(201);
    }

    @Test
    void recordOutput_returns400_secretRejected_forACredentialInTheValidationDetails() {
        UUID id = runningExecution();
        Response response = post(API + "/" + id + "/outputs",
                                 output("hero", "validationDetails", Map.of("found", Map.of("apiKey", "k-123"))));

        assertProblem(response, 400, "secret_rejected");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void complete_returns200_completed_whenNoOutputFailed() {
        UUID id = runningExecution();
        post(API + "/" + id + "/outputs", output("hero"));
        post(API + "/" + id + "/outputs", output("footer", "status", "warnings"));

        Response response = post(API + "/" + id + "/complete", Map.of("estimatedCostUsd", 0.012345,
                                                                      "bundlePath", "s3://bucket/bundle.zip",
                                                                      "bundleSizeBytes", 4096));

        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        assertThat(response.get("version")).isEqualTo(4);
        assertThat(payload(id, 4)).contains("\"status\":\"COMPLETED\"", "\"estimatedCostUsd\":0.012345");
    }

    @Test
    void complete_returns200_partial_whenAnOutputFailed() {
        UUID id = runningExecution();
        post(API + "/" + id + "/outputs", output("hero"));
        post(API + "/" + id + "/outputs", output("footer", "status", "failed"));

        assertThat(post(API + "/" + id + "/complete", null).status()).isEqualTo(200);
        assertThat(payload(id, 4)).contains("\"status\":\"PARTIAL\"");
    }

    @Test
    void complete_keepsTheAmountExactlyAsSent() {
        UUID id = runningExecution();

        assertThat(post(API + "/" + id + "/complete", "{\"estimatedCostUsd\": 1234.567891}").status()).isEqualTo(200);
        assertThat(payload(id, 2)).contains("\"estimatedCostUsd\":1234.567891");
    }

    @Test
    void complete_returns400_namingEstimatedCostUsd_forMoreDecimalsThanTheColumnHolds_andStoresNothing() {
        UUID id = runningExecution();

        Response response = post(API + "/" + id + "/complete", "{\"estimatedCostUsd\": 0.1234567}");

        assertFieldProblem(response, "validation_failed", "estimatedCostUsd");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void complete_returns400_namingEstimatedCostUsd_forTooLargeOrNegativeAmounts() {
        UUID id = runningExecution();

        assertFieldProblem(post(API + "/" + id + "/complete", "{\"estimatedCostUsd\": 10000}"), "validation_failed",
                           "estimatedCostUsd");
        assertFieldProblem(post(API + "/" + id + "/complete", "{\"estimatedCostUsd\": -1}"), "validation_failed",
                           "estimatedCostUsd");
        assertFieldProblem(post(API + "/" + id + "/complete", "{\"estimatedCostUsd\": \"cheap\"}"), "malformed_request",
                           "estimatedCostUsd");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void complete_returns400_forABundleFieldTheColumnsCannotHold() {
        UUID id = runningExecution();

        assertFieldProblem(post(API + "/" + id + "/complete", Map.of("bundlePath", "b".repeat(501))),
                           "validation_failed", "bundlePath");
        assertFieldProblem(post(API + "/" + id + "/complete", Map.of("bundleSizeBytes", -1)), "validation_failed",
                           "bundleSizeBytes");
    }

    @Test
    void complete_returns400_forDerivedFiguresTheClientMayNotSend() {
        UUID id = runningExecution();

        for (String derived : List.of("outputCount", "tokenUsageTotal", "executionTimeMs", "status")) {
            assertFieldProblem(post(API + "/" + id + "/complete", Map.of(derived, 1)), "malformed_request", derived);
        }
    }

    @Test
    void complete_returns409_invalidTransition_beforeTheStartAndAfterTheEnd() {
        UUID id = createExecution();
        assertProblem(post(API + "/" + id + "/complete", null), 409, "invalid_transition");

        post(API + "/" + id + "/start", null);
        assertThat(post(API + "/" + id + "/complete", null).status()).isEqualTo(200);
        assertProblem(post(API + "/" + id + "/complete", null), 409, "invalid_transition");
        assertProblem(post(API + "/" + id + "/outputs", output("late")), 409, "invalid_transition");
        assertProblem(post(API + "/" + id + "/fail", Map.of("errorMessage", "late")), 409, "invalid_transition");
    }

    @Test
    void fail_returns200_fromRunning_andFromPending() {
        UUID running = runningExecution();
        UUID pending = createExecution();
        Map<String, Object> failure = Map.of("errorMessage", "renderer crashed", "errorStep", "render",
                                             "errorDetails", Map.of("exitCode", 137));

        assertThat(post(API + "/" + running + "/fail", failure).get("version")).isEqualTo(2);
        assertThat(post(API + "/" + pending + "/fail", failure).get("version")).isEqualTo(1);
        assertThat(payload(running, 2)).contains("\"errorStep\":\"render\"", "\"exitCode\":137");
        assertProblem(post(API + "/" + running + "/fail", failure), 409, "invalid_transition");
        assertProblem(post(API + "/" + pending + "/start", null), 409, "invalid_transition");
    }

    @Test
    void fail_returns400_withoutErrorMessage_orWithAnErrorStepLongerThanItsColumn() {
        UUID id = runningExecution();

        assertFieldProblem(post(API + "/" + id + "/fail", Map.of()), "validation_failed", "errorMessage");
        assertFieldProblem(post(API + "/" + id + "/fail", Map.of("errorMessage", "x", "errorStep", "s".repeat(101))),
                           "validation_failed", "errorStep");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void fail_returns400_secretRejected_forACredentialInTheErrorDetails() {
        UUID id = runningExecution();
        Response response = post(API + "/" + id + "/fail",
                                 Map.of("errorMessage", "upload failed",
                                        "errorDetails", Map.of("request", Map.of("headers",
                                                Map.of("Authorization", "Bearer abcdefghijklmnopqrstuvwxyz123456")))));

        assertProblem(response, 400, "secret_rejected");
        assertThat(eventCount(id)).isEqualTo(2);
    }
}
