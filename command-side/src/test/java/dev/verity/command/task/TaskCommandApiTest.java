package dev.verity.command.task;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Every task command endpoint over real HTTP: its success and each error it can return. */
class TaskCommandApiTest extends IntegrationTest {

    private static final UUID PROJECT = UUID.fromString("0190c3a0-0000-7000-8000-000000000001");

    private UUID createTask(Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("projectId", PROJECT, "type", "REVIEW",
                                                                  "title", "Review the spec"));
        body.putAll(extra);
        Response response = http.post("/api/v1/tasks", token, body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        return UUID.fromString((String) response.get("id"));
    }

    private UUID createTask() {
        return createTask(Map.of());
    }

    private Response post(String path, Object body, String... headers) {
        return http.post(path, token, body, headers);
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        assertThat(response.get("status")).isEqualTo(status);
        assertThat(response.get("detail")).isNotNull();
    }

    @Test
    void create_returns201_withIdVersionLocationAndETag() {
        UUID id = UUID.randomUUID();
        Response response = post("/api/v1/tasks", Map.of("id", id, "projectId", PROJECT, "type", "DECIDE",
                                                         "title", "Pick a vendor", "priority", "high",
                                                         "assigneeType", "agent", "assigneeId", "agent-1",
                                                         "dueDate", "2026-12-01T10:00:00Z",
                                                         "metadata", Map.of("board", "ops")));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body()).containsEntry("id", id.toString()).containsEntry("version", 0);
        assertThat(response.header("Location")).endsWith("/api/v1/tasks/" + id);
        assertThat(response.header("ETag")).isEqualTo("\"0\"");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void create_stampsTenantActorAndCorrelationOnTheEvent() {
        UUID id = createTask();
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT convert_from(meta_data, 'UTF8') AS meta FROM event_store.domain_event_entry"
                        + " WHERE aggregate_identifier = ?", id.toString());

        assertThat((String) row.get("meta")).contains("\"tenantId\":\"" + tenant + "\"", "\"actorId\":\"alice\"",
                                                      "\"actorType\":\"user\"", "\"correlationId\"", "\"causationId\"");
    }

    @Test
    void create_usesTheCallersCorrelationId_whenGiven() {
        Response response = post("/api/v1/tasks", Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t"),
                                 "X-Correlation-Id", "req-42");
        String meta = jdbc.queryForObject("SELECT convert_from(meta_data, 'UTF8') FROM event_store.domain_event_entry"
                                                  + " WHERE aggregate_identifier = ?", String.class, response.get("id"));

        assertThat(meta).contains("\"correlationId\":\"req-42\"");
    }

    @Test
    void create_returns400_withFieldErrors_whenRequiredFieldsAreMissing() {
        Response response = post("/api/v1/tasks", Map.of("type", "NOPE", "title", ""));

        assertProblem(response, 400, "validation_failed");
        assertThat((List<Map<String, String>>) response.get("errors"))
                .extracting(error -> error.get("field"))
                .contains("projectId", "type", "title");
    }

    @Test
    void create_returns400_whenTitleIsLongerThan255() {
        assertProblem(post("/api/v1/tasks", Map.of("projectId", PROJECT, "type", "REVIEW", "title", "x".repeat(256))),
                      400, "validation_failed");
    }

    @Test
    void create_returns400_whenJsonIsMalformed() {
        assertProblem(post("/api/v1/tasks", "{\"projectId\": "), 400, "malformed_request");
    }

    @Test
    void create_returns400_whenAFieldHasTheWrongType() {
        assertProblem(post("/api/v1/tasks", Map.of("projectId", "not-a-uuid", "type", "REVIEW", "title", "t")),
                      400, "malformed_request");
    }

    @Test
    void create_returns400_unknownDependency_andStoresNothing() {
        UUID id = UUID.randomUUID();
        Response response = post("/api/v1/tasks", Map.of("id", id, "projectId", PROJECT, "type", "REVIEW",
                                                         "title", "t", "dependencies", List.of(UUID.randomUUID())));

        assertProblem(response, 400, "unknown_dependency");
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void create_returns400_unknownDependency_forAnotherTenantsTask() {
        UUID foreign = createTask();
        token = TestTokens.token(UUID.randomUUID(), "read write");

        assertProblem(post("/api/v1/tasks", Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t",
                                                   "dependencies", List.of(foreign))), 400, "unknown_dependency");
    }

    @Test
    void create_returns400_unknownParentTask() {
        assertProblem(post("/api/v1/tasks", Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t",
                                                   "parentTaskId", UUID.randomUUID())), 400, "unknown_parent_task");
    }

    @Test
    void create_acceptsAParentTaskOfTheSameTenant() {
        UUID parent = createTask();

        assertThat(post("/api/v1/tasks", Map.of("projectId", PROJECT, "type", "REVIEW", "title", "child",
                                                "parentTaskId", parent)).status()).isEqualTo(201);
    }

    @Test
    void create_returns400_secretRejected_andStoresNothing() {
        UUID id = UUID.randomUUID();
        Response response = post("/api/v1/tasks", Map.of("id", id, "projectId", PROJECT, "type", "REVIEW",
                                                         "title", "t",
                                                         "metadata", Map.of("github", Map.of("token", "ghp_x"))));

        assertProblem(response, 400, "secret_rejected");
        assertThat((String) response.get("detail")).contains("metadata.github.token");
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void create_returns409_alreadyExists_whenTheIdIsTaken() {
        UUID id = createTask();

        assertProblem(post("/api/v1/tasks", Map.of("id", id, "projectId", PROJECT, "type", "REVIEW", "title", "t")),
                      409, "already_exists");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void create_returns401_withoutToken() {
        assertProblem(http.post("/api/v1/tasks", null, Map.of()), 401, "unauthorized");
    }

    @Test
    void create_returns401_whenTheSignatureUsesAnotherSecret() {
        String forged = TestTokens.token("another-secret-that-is-at-least-32-bytes", tenant.toString(), "alice",
                                         "read write", Duration.ofMinutes(5));
        assertProblem(http.post("/api/v1/tasks", forged, Map.of()), 401, "unauthorized");
    }

    @Test
    void create_returns401_whenTheTokenExpired() {
        String expired = TestTokens.token(TestTokens.SECRET, tenant.toString(), "alice", "read write",
                                          Duration.ofMinutes(-5));
        assertProblem(http.post("/api/v1/tasks", expired, Map.of()), 401, "unauthorized");
    }

    @Test
    void create_returns401_whenTheTenantClaimIsNotAUuid() {
        String odd = TestTokens.token(TestTokens.SECRET, "acme", "alice", "read write", Duration.ofMinutes(5));
        assertProblem(http.post("/api/v1/tasks", odd, Map.of()), 401, "unauthorized");
    }

    @Test
    void create_returns403_withoutWriteScope() {
        assertProblem(http.post("/api/v1/tasks", TestTokens.token(tenant, "read"),
                                Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t")), 403, "forbidden");
    }

    @Test
    void assign_returns200_withTheNewVersion() {
        UUID id = createTask();
        Response response = post("/api/v1/tasks/" + id + "/assign", Map.of("assigneeType", "user", "assigneeId", "bob"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).containsEntry("id", id.toString()).containsEntry("version", 1);
        assertThat(response.header("ETag")).isEqualTo("\"1\"");
    }

    @Test
    void assign_returns400_whenAssigneeTypeIsInvalid() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/assign", Map.of("assigneeType", "robot", "assigneeId", "x")),
                      400, "validation_failed");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void assign_returns404_forAnUnknownTask() {
        assertProblem(post("/api/v1/tasks/" + UUID.randomUUID() + "/assign",
                           Map.of("assigneeType", "user", "assigneeId", "bob")), 404, "not_found");
    }

    @Test
    void assign_returns404_forAnotherTenantsTask_andChangesNothing() {
        UUID id = createTask();
        token = TestTokens.token(UUID.randomUUID(), "read write");

        assertProblem(post("/api/v1/tasks/" + id + "/assign", Map.of("assigneeType", "user", "assigneeId", "eve")),
                      404, "not_found");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void anotherTenantsTask_answersExactlyAsAnUnknownId_forEveryKindOfCommand() {
        UUID id = createTask();
        String stranger = TestTokens.token(UUID.randomUUID(), "read write");
        UUID unknown = UUID.randomUUID();
        Map<String, Object> assign = Map.of("assigneeType", "user", "assigneeId", "eve");
        Map<String, Object> action = Map.of("type", "TEXT_INPUT", "label", "x");

        for (String[] command : new String[][] {{"/assign", "assign"}, {"/start", null}, {"/actions", "action"},
                                                {"/steps/" + UUID.randomUUID() + "/start", null}}) {
            Object body = command[1] == null ? null : command[1].equals("assign") ? assign : action;
            Response foreign = http.post("/api/v1/tasks/" + id + command[0], stranger, body);
            Response missing = http.post("/api/v1/tasks/" + unknown + command[0], stranger, body);

            assertProblem(foreign, 404, "not_found");
            Map<String, Object> foreignProblem = new java.util.HashMap<>(foreign.body());
            Map<String, Object> missingProblem = new java.util.HashMap<>(missing.body());
            foreignProblem.remove("instance");
            missingProblem.remove("instance");
            assertThat(foreignProblem).as(command[0]).isEqualTo(missingProblem);
        }
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void anyCommand_returns400_forAMalformedId() {
        assertProblem(post("/api/v1/tasks/not-a-uuid/start", null), 400, "validation_failed");
    }

    @Test
    void start_returns200_thenSecondStartReturns409InvalidTransition() {
        UUID id = createTask();

        assertThat(post("/api/v1/tasks/" + id + "/start", null).status()).isEqualTo(200);
        assertProblem(post("/api/v1/tasks/" + id + "/start", null), 409, "invalid_transition");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void start_returns412_whenIfMatchIsStale() {
        UUID id = createTask();
        post("/api/v1/tasks/" + id + "/assign", Map.of("assigneeType", "user", "assigneeId", "bob"));

        assertProblem(post("/api/v1/tasks/" + id + "/start", null, "If-Match", "\"0\""), 412, "version_mismatch");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void start_returns200_whenIfMatchIsCurrent() {
        UUID id = createTask();

        Response response = post("/api/v1/tasks/" + id + "/start", null, "If-Match", "\"0\"");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.get("version")).isEqualTo(1);
    }

    @Test
    void start_returns400_whenIfMatchIsNotAVersion() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/start", null, "If-Match", "\"abc\""), 400, "validation_failed");
    }

    @Test
    void blockAndUnblock_return200_andUnblockTwiceReturns409() {
        UUID id = createTask();

        assertThat(post("/api/v1/tasks/" + id + "/block", Map.of("reason", "waiting on legal")).status()).isEqualTo(200);
        assertThat(post("/api/v1/tasks/" + id + "/unblock", null).status()).isEqualTo(200);
        assertProblem(post("/api/v1/tasks/" + id + "/unblock", null), 409, "invalid_transition");
    }

    @Test
    void block_returns400_withoutReason() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/block", Map.of()), 400, "validation_failed");
    }

    @Test
    void complete_returns200_thenFurtherChangesReturn409() {
        UUID id = createTask();
        post("/api/v1/tasks/" + id + "/start", null);

        Response response = post("/api/v1/tasks/" + id + "/complete", Map.of("notes", "shipped"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.get("version")).isEqualTo(2);
        assertProblem(post("/api/v1/tasks/" + id + "/complete", null), 409, "invalid_transition");
        assertProblem(post("/api/v1/tasks/" + id + "/steps", Map.of("action", "late")), 409, "task_completed");
    }

    @Test
    void complete_returns409_whenBlocked() {
        UUID id = createTask();
        post("/api/v1/tasks/" + id + "/block", Map.of("reason", "r"));

        assertProblem(post("/api/v1/tasks/" + id + "/complete", null), 409, "invalid_transition");
    }

    @Test
    void addAction_returns201_withTheActionId() {
        UUID id = createTask();
        Response response = post("/api/v1/tasks/" + id + "/actions",
                                 Map.of("type", "SINGLE_SELECT", "label", "Pick one", "displayOrder", 2,
                                        "config", Map.of("options", List.of(Map.of("value", "a", "label", "A")))));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.get("id")).isNotEqualTo(id.toString());
        assertThat(response.get("version")).isEqualTo(1);
    }

    @Test
    void addAction_returns400_forAnUnknownActionType() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/actions", Map.of("type", "DANCE", "label", "x")),
                      400, "validation_failed");
    }

    @Test
    void addAction_returns404_forAnUnknownTask() {
        assertProblem(post("/api/v1/tasks/" + UUID.randomUUID() + "/actions", Map.of("type", "TEXT_INPUT", "label", "x")),
                      404, "not_found");
    }

    private UUID addAction(UUID taskId) {
        Response response = post("/api/v1/tasks/" + taskId + "/actions", Map.of("type", "TEXT_INPUT", "label", "Answer"));
        return UUID.fromString((String) response.get("id"));
    }

    @Test
    void submit_returns201_thenTheSameKeyAndDataReturn200WithTheSameIdAndNoNewEvent() {
        UUID id = createTask();
        UUID action = addAction(id);
        String path = "/api/v1/tasks/" + id + "/actions/" + action + "/submissions";

        Response first = post(path, Map.of("data", Map.of("text", "yes")), "Idempotency-Key", "k-1");
        Response retry = post(path, Map.of("data", Map.of("text", "yes")), "Idempotency-Key", "k-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.get("id")).isEqualTo(first.get("id"));
        assertThat(retry.get("version")).isEqualTo(first.get("version"));
        assertThat(eventCount(id)).isEqualTo(3);
    }

    @Test
    void submit_returns409_idempotencyConflict_whenTheSameKeyCarriesOtherData() {
        UUID id = createTask();
        UUID action = addAction(id);
        String path = "/api/v1/tasks/" + id + "/actions/" + action + "/submissions";
        post(path, Map.of("data", Map.of("text", "yes")), "Idempotency-Key", "k-1");

        assertProblem(post(path, Map.of("data", Map.of("text", "no")), "Idempotency-Key", "k-1"),
                      409, "idempotency_conflict");
        assertThat(eventCount(id)).isEqualTo(3);
    }

    @Test
    void submit_returns400_withoutIdempotencyKey() {
        UUID id = createTask();
        UUID action = addAction(id);
        Response response = post("/api/v1/tasks/" + id + "/actions/" + action + "/submissions",
                                 Map.of("data", Map.of("text", "yes")));

        assertProblem(response, 400, "validation_failed");
        assertThat(response.body().toString()).contains("Idempotency-Key");
    }

    @Test
    void submit_returns400_withoutData() {
        UUID id = createTask();
        UUID action = addAction(id);
        assertProblem(post("/api/v1/tasks/" + id + "/actions/" + action + "/submissions", Map.of(),
                           "Idempotency-Key", "k"), 400, "validation_failed");
    }

    @Test
    void submit_returns404_actionNotFound_forAnUnknownAction() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/actions/" + UUID.randomUUID() + "/submissions",
                           Map.of("data", Map.of()), "Idempotency-Key", "k"), 404, "action_not_found");
    }

    @Test
    void addTarget_returns201() {
        UUID id = createTask();
        Response response = post("/api/v1/tasks/" + id + "/targets",
                                 Map.of("targetType", "spec_section", "targetId", UUID.randomUUID()));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.get("version")).isEqualTo(1);
    }

    @Test
    void addTarget_returns400_forAnUnknownTargetType() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/targets", Map.of("targetType", "page", "targetId", UUID.randomUUID())),
                      400, "validation_failed");
    }

    @Test
    void steps_walkThroughFailAndRetry() {
        UUID id = createTask();
        Response added = post("/api/v1/tasks/" + id + "/steps", Map.of("action", "fetch the data"));
        String step = "/api/v1/tasks/" + id + "/steps/" + added.get("id");

        assertThat(added.status()).isEqualTo(201);
        assertThat(post(step + "/start", null).status()).isEqualTo(200);
        assertThat(post(step + "/fail", Map.of("error", "timeout")).status()).isEqualTo(200);
        assertThat(post(step + "/start", null).status()).isEqualTo(200);
        Response completed = post(step + "/complete", Map.of("result", "42 rows"));

        assertThat(completed.status()).isEqualTo(200);
        assertThat(completed.get("version")).isEqualTo(5);
        String retried = jdbc.queryForObject(
                "SELECT convert_from(payload, 'UTF8') FROM event_store.domain_event_entry"
                        + " WHERE aggregate_identifier = ? AND sequence_number = 4", String.class, id.toString());
        assertThat(retried).contains("\"retryCount\":1");
    }

    @Test
    void completeStep_returns409_whenTheStepIsPending() {
        UUID id = createTask();
        Response added = post("/api/v1/tasks/" + id + "/steps", Map.of("action", "fetch"));

        assertProblem(post("/api/v1/tasks/" + id + "/steps/" + added.get("id") + "/complete", null),
                      409, "invalid_transition");
    }

    @Test
    void failStep_returns400_withoutError() {
        UUID id = createTask();
        Response added = post("/api/v1/tasks/" + id + "/steps", Map.of("action", "fetch"));

        assertProblem(post("/api/v1/tasks/" + id + "/steps/" + added.get("id") + "/fail", Map.of()),
                      400, "validation_failed");
    }

    @Test
    void startStep_returns404_stepNotFound() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/steps/" + UUID.randomUUID() + "/start", null),
                      404, "step_not_found");
    }

    @Test
    void childIds_return409_alreadyExists_whenReusedWithinTheTask_andStoreNothing() {
        UUID id = createTask();
        UUID child = UUID.randomUUID();
        String task = "/api/v1/tasks/" + id;
        assertThat(post(task + "/steps", Map.of("id", child, "action", "fetch")).status()).isEqualTo(201);
        assertThat(post(task + "/actions", Map.of("id", child, "type", "TEXT_INPUT", "label", "x")).status())
                .isEqualTo(201);
        assertThat(post(task + "/targets", Map.of("id", child, "targetType", "spec_section",
                                                  "targetId", UUID.randomUUID())).status()).isEqualTo(201);

        assertProblem(post(task + "/steps", Map.of("id", child, "action", "again")), 409, "already_exists");
        assertProblem(post(task + "/actions", Map.of("id", child, "type", "TEXT_INPUT", "label", "y")),
                      409, "already_exists");
        assertProblem(post(task + "/targets", Map.of("id", child, "targetType", "spec_section",
                                                     "targetId", UUID.randomUUID())), 409, "already_exists");
        assertThat(eventCount(id)).isEqualTo(4);
    }

    @Test
    void childIds_areFree_inAnotherTask() {
        UUID step = UUID.randomUUID();
        assertThat(post("/api/v1/tasks/" + createTask() + "/steps", Map.of("id", step, "action", "a")).status())
                .isEqualTo(201);
        assertThat(post("/api/v1/tasks/" + createTask() + "/steps", Map.of("id", step, "action", "b")).status())
                .isEqualTo(201);
    }

    @Test
    void addStep_returns400_withoutAction() {
        UUID id = createTask();
        assertProblem(post("/api/v1/tasks/" + id + "/steps", Map.of()), 400, "validation_failed");
    }

    @Test
    void dependencies_blockTheTaskUntilTheLastCompletes() {
        UUID first = createTask();
        UUID second = createTask();
        UUID dependent = createTask(Map.of("dependencies", List.of(first, second)));
        String createdPayload = jdbc.queryForObject(
                "SELECT convert_from(payload, 'UTF8') FROM event_store.domain_event_entry"
                        + " WHERE aggregate_identifier = ? AND sequence_number = 0", String.class, dependent.toString());
        assertThat(createdPayload).contains("\"status\":\"BLOCKED\"");
        assertProblem(post("/api/v1/tasks/" + dependent + "/start", null), 409, "invalid_transition");

        post("/api/v1/tasks/" + first + "/complete", null);
        await("first dependency resolved", () -> eventCount(dependent) == 2);
        assertProblem(post("/api/v1/tasks/" + dependent + "/start", null), 409, "invalid_transition");

        post("/api/v1/tasks/" + second + "/complete", null);
        await("second dependency resolved", () -> eventCount(dependent) == 3);

        assertThat(post("/api/v1/tasks/" + dependent + "/start", null).status()).isEqualTo(200);
        String resolvedMeta = jdbc.queryForObject(
                "SELECT convert_from(meta_data, 'UTF8') FROM event_store.domain_event_entry"
                        + " WHERE aggregate_identifier = ? AND sequence_number = 2", String.class, dependent.toString());
        assertThat(resolvedMeta).contains("\"actorType\":\"system\"", "\"tenantId\":\"" + tenant + "\"");
    }

    @Test
    void dependencies_alreadyCompleted_doNotBlock() {
        UUID done = createTask();
        post("/api/v1/tasks/" + done + "/complete", null);

        UUID dependent = createTask(Map.of("dependencies", List.of(done)));

        assertThat(post("/api/v1/tasks/" + dependent + "/start", null).status()).isEqualTo(200);
    }
}
