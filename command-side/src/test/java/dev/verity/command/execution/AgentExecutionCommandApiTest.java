package dev.verity.command.execution;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.TestTokens;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Every agent execution command endpoint over real HTTP: its success and each error it can return. */
class AgentExecutionCommandApiTest extends IntegrationTest {

    private static final List<Map<String, String>> AGENTS = List.of(Map.of("name", "planner", "role", "lead",
                                                                           "status", "idle"));

    private final UUID project = UUID.randomUUID();

    private UUID create(Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("projectId", project, "strategy", "sequential",
                                                        "agents", AGENTS));
        body.putAll(extra);
        Response response = post("/api/v1/executions", body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        return UUID.fromString((String) response.get("id"));
    }

    private UUID running(Map<String, Object> extra) {
        UUID id = create(extra);
        assertThat(post(path(id, "start"), null).status()).isEqualTo(200);
        return id;
    }

    private Response post(String path, Object body, String... headers) {
        return http.post(path, token, body, headers);
    }

    private static String path(UUID id, String command) {
        return "/api/v1/executions/" + id + "/" + command;
    }

    private static void assertProblem(Response response, int status, String code, String field) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        if (field != null) {
            assertThat((List<Map<String, String>>) response.get("errors")).extracting(e -> e.get("field")).contains(field);
        }
    }

    private String lastEventType(UUID id) {
        return jdbc.queryForObject("SELECT payload_type FROM event_store.domain_event_entry WHERE aggregate_identifier = ?"
                                   + " ORDER BY sequence_number DESC LIMIT 1", String.class, id.toString());
    }

    // create

    @Test
    void create_returns201_pending_withIdVersionLocationAndETag() {
        UUID id = UUID.randomUUID();
        Response response = post("/api/v1/executions", Map.of("id", id, "projectId", project, "strategy", "parallel",
                                                              "agents", AGENTS, "totalSteps", 3, "tokensLimit", 500,
                                                              "costLimit", 1.25));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body()).containsEntry("id", id.toString()).containsEntry("version", 0);
        assertThat(response.header("Location")).endsWith("/api/v1/executions/" + id);
        assertThat(response.header("ETag")).isEqualTo("\"0\"");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void create_takesTheProjectsBudget_whenNoLimitsAreGiven() {
        http.send("PUT", "/api/v1/projects/" + project + "/budget", token, "application/json",
                  HttpRequest.BodyPublishers.ofString("{\"maxTokens\": 10, \"maxCostUsd\": 0.5,"
                                                      + " \"onLimitReached\": \"fail\"}"));
        UUID id = running(Map.of());

        Response response = post(path(id, "usage"), Map.of("tokens", 10, "costUsd", 0));

        assertThat(response.get("budgetState")).isEqualTo("exceeded");
        assertThat(response.get("status")).isEqualTo("failed");
    }

    @Test
    void create_returns400_withFieldErrors_whenRequiredFieldsAreMissing() {
        assertProblem(post("/api/v1/executions", Map.of("agents", List.of(Map.of("name", "")))), 400,
                      "validation_failed", "projectId");
    }

    @Test
    void create_returns400_namingTheField_whenCostLimitHasFiveDecimals_andStoresNothing() {
        UUID id = UUID.randomUUID();
        assertProblem(post("/api/v1/executions", "{\"id\": \"" + id + "\", \"projectId\": \"" + project
                                                 + "\", \"strategy\": \"s\", \"agents\": [], \"costLimit\": 0.00001}"),
                      400, "validation_failed", "costLimit");
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void create_returns400_namingTheField_whenTokensLimitIsPastInteger() {
        assertProblem(post("/api/v1/executions", Map.of("projectId", project, "strategy", "s", "agents", AGENTS,
                                                        "tokensLimit", 3_000_000_000L)), 400, "validation_failed",
                      "tokensLimit");
    }

    @Test
    void create_returns400_namingTheField_whenAnAgentHoldsANul() {
        assertProblem(post("/api/v1/executions", Map.of("projectId", project, "strategy", "s",
                                                        "agents", List.of(Map.of("name", "a\u0000", "role", "r",
                                                                                 "status", "s")))),
                      400, "validation_failed", "agents[0].name");
    }

    @Test
    void create_returns409_alreadyExists_whenTheIdIsTaken() {
        UUID id = create(Map.of());
        assertProblem(post("/api/v1/executions", Map.of("id", id, "projectId", project, "strategy", "s",
                                                        "agents", AGENTS)), 409, "already_exists", null);
    }

    @Test
    void create_returns403_withoutWriteScope() {
        assertProblem(http.post("/api/v1/executions", TestTokens.token(tenant, "read"),
                                Map.of("projectId", project, "strategy", "s", "agents", AGENTS)), 403, "forbidden", null);
    }

    // transitions

    @Test
    void lifecycle_startStepPauseResumeComplete_eachAnswers200WithTheNextVersion() {
        UUID id = create(Map.of("totalSteps", 2));

        assertThat(post(path(id, "start"), null).get("version")).isEqualTo(1);
        assertThat(post(path(id, "steps"), Map.of("stepName", "research", "agents", AGENTS,
                                                  "intermediateResults", Map.of("sources", 3))).get("version")).isEqualTo(2);
        assertThat(post(path(id, "pause"), Map.of()).get("version")).isEqualTo(3);
        assertThat(post(path(id, "resume"), null).get("version")).isEqualTo(4);
        Response completed = post(path(id, "complete"), Map.of("finalResult", Map.of("answer", 42)));

        assertThat(completed.status()).isEqualTo(200);
        assertThat(completed.header("ETag")).isEqualTo("\"5\"");
        assertThat(lastEventType(id)).endsWith("ExecutionCompleted");
    }

    @Test
    void fail_returns200_andThenEveryMoveIs409() {
        UUID id = create(Map.of());
        assertThat(post(path(id, "fail"), Map.of("error", Map.of("message", "agent crashed"))).status()).isEqualTo(200);

        assertProblem(post(path(id, "start"), null), 409, "invalid_transition", null);
        assertProblem(post(path(id, "fail"), Map.of("error", Map.of())), 409, "invalid_transition", null);
        assertProblem(post(path(id, "limits"), Map.of("tokensLimit", 5)), 409, "invalid_transition", null);
    }

    @Test
    void illegalMoves_are409InvalidTransition() {
        UUID id = create(Map.of());
        assertProblem(post(path(id, "pause"), null), 409, "invalid_transition", null);
        assertProblem(post(path(id, "resume"), null), 409, "invalid_transition", null);
        assertProblem(post(path(id, "complete"), null), 409, "invalid_transition", null);
        assertProblem(post(path(id, "steps"), Map.of("stepName", "a")), 409, "invalid_transition", null);
    }

    @Test
    void steps_returns409_totalStepsReached_atTheLastStep_and400_forABlankName() {
        UUID id = running(Map.of("totalSteps", 1));
        assertProblem(post(path(id, "steps"), Map.of("stepName", "")), 400, "validation_failed", "stepName");
        assertThat(post(path(id, "steps"), Map.of("stepName", "only")).status()).isEqualTo(200);
        assertProblem(post(path(id, "steps"), Map.of("stepName", "one more")), 409, "total_steps_reached", null);
    }

    @Test
    void fail_returns400_whenErrorIsMissing() {
        assertProblem(post(path(create(Map.of()), "fail"), Map.of()), 400, "validation_failed", "error");
    }

    @Test
    void start_returns400_forAStrayField_and404_forAnUnknownOrForeignExecution() {
        UUID id = create(Map.of());
        assertProblem(post(path(id, "start"), Map.of("now", true)), 400, "malformed_request", "now");
        assertProblem(post(path(UUID.randomUUID(), "start"), null), 404, "not_found", null);
        assertProblem(http.post(path(id, "start"), TestTokens.token(UUID.randomUUID(), "write"), null), 404,
                      "not_found", null);
    }

    @Test
    void start_returns412_whenIfMatchIsStale() {
        assertProblem(post(path(create(Map.of()), "start"), null, "If-Match", "\"7\""), 412, "version_mismatch", null);
    }

    // usage and limits

    @Test
    void usage_answersTheNewTotalsAndBudgetState() {
        UUID id = running(Map.of("tokensLimit", 1000, "costLimit", 10));

        Response first = post(path(id, "usage"), Map.of("tokens", 100, "costUsd", 0.1234, "agent", "planner"));
        Response second = post(path(id, "usage"), "{\"tokens\": 700, \"costUsd\": 0.0001}");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).containsEntry("tokensUsed", 100).containsEntry("costIncurred", 0.1234)
                                .containsEntry("budgetState", "ok").containsEntry("status", "running");
        assertThat(second.body()).containsEntry("tokensUsed", 800).containsEntry("costIncurred", 0.1235)
                                 .containsEntry("budgetState", "warning");
        assertThat(second.header("ETag")).isEqualTo("\"" + second.get("version") + "\"");
    }

    @Test
    void usage_reachingTheLimit_pauses_thenUsageIs409_untilLimitsAreRaisedAndItResumes() {
        UUID id = running(Map.of("tokensLimit", 100));

        Response crossing = post(path(id, "usage"), Map.of("tokens", 100, "costUsd", 0));
        assertThat(crossing.body()).containsEntry("budgetState", "exceeded").containsEntry("status", "paused");
        assertProblem(post(path(id, "usage"), Map.of("tokens", 1, "costUsd", 0)), 409, "execution_not_running", null);
        assertProblem(post(path(id, "resume"), null), 409, "budget_exceeded", null);

        assertThat(post(path(id, "limits"), Map.of("tokensLimit", 1000)).status()).isEqualTo(200);
        assertThat(post(path(id, "resume"), null).status()).isEqualTo(200);
        assertThat(post(path(id, "usage"), Map.of("tokens", 1, "costUsd", 0)).get("tokensUsed")).isEqualTo(101);
    }

    @Test
    void usage_returns400_namingTheField_forFiveDecimals_negativeOrMissingValues() {
        UUID id = running(Map.of());
        assertProblem(post(path(id, "usage"), "{\"tokens\": 1, \"costUsd\": 0.00001}"), 400, "validation_failed",
                      "costUsd");
        assertProblem(post(path(id, "usage"), Map.of("tokens", -1, "costUsd", 0)), 400, "validation_failed", "tokens");
        assertProblem(post(path(id, "usage"), Map.of("tokens", 1)), 400, "validation_failed", "costUsd");
        assertProblem(post(path(id, "usage"), Map.of("tokens", "many", "costUsd", 0)), 400, "malformed_request",
                      "tokens");
        assertProblem(post(path(id, "usage"), "{\"tokens\": 1.5, \"costUsd\": 0}"), 400, "malformed_request", "tokens");
    }

    @Test
    void limits_returns400_whenLowerThanTheCurrentLimit_orEmpty() {
        UUID id = running(Map.of("tokensLimit", 100));
        assertProblem(post(path(id, "limits"), Map.of("tokensLimit", 50)), 400, "validation_failed", "tokensLimit");
        assertProblem(post(path(id, "limits"), Map.of()), 400, "validation_failed", "tokensLimit");
        assertProblem(post(path(id, "limits"), "{\"costLimit\": 9.00001}"), 400, "validation_failed", "costLimit");
    }

    // checkpoints

    @Test
    void checkpoint_returns201_withItsIdAndExpiry_andResumingFromItIs200() {
        UUID id = running(Map.of());
        post(path(id, "steps"), Map.of("stepName", "research"));
        Instant before = Instant.now();

        Response response = post(path(id, "checkpoints"), Map.of(
                "stepIndex", 1, "stepName", "research", "ttl", "PT2H",
                "state", Map.of("completedSteps", List.of("research"), "pendingSteps", List.of("draft"),
                                "intermediateResults", Map.of("outline", "v1"), "agentStates", Map.of())));

        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        Instant expiresAt = Instant.parse((String) response.get("expiresAt"));
        assertThat(expiresAt).isBetween(before.plus(Duration.ofHours(2)).minusSeconds(1),
                                        Instant.now().plus(Duration.ofHours(2)));
        UUID checkpointId = UUID.fromString((String) response.get("id"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM event_store.scheduled_tasks"
                                       + " WHERE position(convert_to(?, 'UTF8') in task_data) > 0", Long.class,
                                       checkpointId.toString())).as("its persistent expiry deadline").isEqualTo(1);
        post(path(id, "pause"), null);
        assertThat(post(path(id, "resume"), Map.of("checkpointId", checkpointId)).status()).isEqualTo(200);
    }

    @Test
    void checkpoint_takesTheDefaultTtl_of24Hours() {
        UUID id = running(Map.of());
        Response response = post(path(id, "checkpoints"), Map.of("stepIndex", 0, "stepName", "start",
                                                                 "state", Map.of()));

        assertThat(Instant.parse((String) response.get("expiresAt")))
                .isAfter(Instant.now().plus(Duration.ofHours(24)).minusSeconds(60));
    }

    @Test
    void checkpoint_returns400_forAStepAhead_aTtlTooLong_orUsageTheClientClaims() {
        UUID id = running(Map.of());
        assertProblem(post(path(id, "checkpoints"), Map.of("stepIndex", 3, "stepName", "x", "state", Map.of())), 400,
                      "validation_failed", "stepIndex");
        assertProblem(post(path(id, "checkpoints"), Map.of("stepIndex", 0, "stepName", "x", "state", Map.of(),
                                                           "ttl", "P400D")), 400, "validation_failed", "ttl");
        assertProblem(post(path(id, "checkpoints"), Map.of("stepIndex", 0, "stepName", "x",
                                                           "state", Map.of("tokensUsed", 0))), 400,
                      "malformed_request", "state.tokensUsed");
        assertProblem(post(path(id, "checkpoints"), Map.of("stepIndex", 0, "stepName", "x")), 400,
                      "validation_failed", "state");
    }

    @Test
    void checkpoint_returns400_secretRejected_forACredentialInItsState() {
        UUID id = running(Map.of());
        assertProblem(post(path(id, "checkpoints"), Map.of("stepIndex", 0, "stepName", "x",
                                                           "state", Map.of("agentStates", Map.of("password", "hunter2")))),
                      400, "secret_rejected", null);
    }

    @Test
    void resume_returns404_forAnUnknownCheckpoint_and409_forAnExpiredOne() {
        UUID id = running(Map.of());
        Response checkpoint = post(path(id, "checkpoints"), Map.of("stepIndex", 0, "stepName", "x", "state", Map.of(),
                                                                   "ttl", "PT1S"));
        post(path(id, "pause"), null);
        assertProblem(post(path(id, "resume"), Map.of("checkpointId", UUID.randomUUID())), 404, "checkpoint_not_found",
                      null);
        await("the checkpoint's expiry event", () -> lastEventType(id).endsWith("CheckpointExpired"));

        assertProblem(post(path(id, "resume"), Map.of("checkpointId", checkpoint.get("id"))), 409,
                      "checkpoint_expired", null);
        String meta = jdbc.queryForObject("SELECT convert_from(meta_data, 'UTF8') FROM event_store.domain_event_entry"
                                          + " WHERE aggregate_identifier = ? AND payload_type LIKE '%CheckpointExpired'",
                                          String.class, id.toString());
        assertThat(meta).contains("\"tenantId\":\"" + tenant + "\"", "\"actorType\":\"system\"",
                                  "\"actorId\":\"checkpoint-expiry\"");
    }

    @Test
    void usage_returnsBigDecimalTotalsExactly_overManyReports() {
        UUID id = running(Map.of("costLimit", 100));
        for (int i = 0; i < 10; i++) {
            post(path(id, "usage"), "{\"tokens\": 1, \"costUsd\": 0.1}");
        }
        BigDecimal recorded = new BigDecimal(jdbc.queryForObject(
                "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'costIncurred' FROM event_store.domain_event_entry"
                + " WHERE aggregate_identifier = ? ORDER BY sequence_number DESC LIMIT 1", String.class, id.toString()));
        assertThat(recorded).isEqualByComparingTo("1.0");
    }
}
