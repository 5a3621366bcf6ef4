package dev.verity.command.platform.web;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.RawHttp;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest.BodyPublishers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error the command side answers is an RFC 9457 problem, and a 400 says which field and why. */
class ProblemResponsesTest extends IntegrationTest {

    private static final UUID PROJECT = UUID.fromString("0190c3a0-0000-7000-8000-0000000000e6");

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        assertThat(response.get("status")).isEqualTo(status);
        assertThat(response.get("detail")).isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> fieldError(Response response) {
        List<Map<String, String>> errors = (List<Map<String, String>>) response.get("errors");
        assertThat(errors).as(response.body().toString()).hasSize(1);
        return errors.get(0);
    }

    private static void assertRawProblem(RawHttp.Answer answer, int status) {
        assertThat(answer.status()).as(answer.head() + "\n" + answer.body()).isEqualTo(status);
        assertThat(answer.hasHeader("Content-Type", "application/problem+json")).as(answer.head()).isTrue();
        assertThat(answer.body()).contains("\"code\"", "\"status\":" + status);
    }

    private UUID createTask() {
        Response created = http.post("/api/v1/tasks", token, Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t"));
        assertThat(created.status()).isEqualTo(201);
        return UUID.fromString((String) created.get("id"));
    }

    private String addStep(UUID task) {
        Response added = http.post("/api/v1/tasks/" + task + "/steps", token, Map.of("action", "fetch"));
        return "/api/v1/tasks/" + task + "/steps/" + added.get("id");
    }

    @Test
    void addTarget_returns400NamingTargetId_whenItIsNotAUuid() {
        UUID task = createTask();

        Response response = http.post("/api/v1/tasks/" + task + "/targets", token,
                                      Map.of("targetType", "feature", "targetId", "feature-7"));

        assertProblem(response, 400, "malformed_request");
        assertThat(fieldError(response)).containsEntry("field", "targetId");
        assertThat(fieldError(response).get("message")).contains("UUID");
        assertThat(eventCount(task)).isEqualTo(1);
    }

    @Test
    void completeStep_returns400NamingResult_whenItIsNotAString() {
        String step = addStep(createTask());
        http.post(step + "/start", token, null);

        Response response = http.post(step + "/complete", token, Map.of("result", Map.of("rows", 42)));

        assertProblem(response, 400, "malformed_request");
        assertThat(fieldError(response)).containsEntry("field", "result");
        assertThat(fieldError(response).get("message")).contains("string");
    }

    @Test
    void create_returns400NamingDueDate_whenItIsNotAnInstant() {
        Response response = http.post("/api/v1/tasks", token, Map.of("projectId", PROJECT, "type", "REVIEW",
                                                                     "title", "t", "dueDate", "tomorrow"));

        assertProblem(response, 400, "malformed_request");
        assertThat(fieldError(response)).containsEntry("field", "dueDate");
        assertThat(fieldError(response).get("message")).contains("tomorrow", "instant");
    }

    @Test
    void create_returns400NamingTheIndex_whenADependencyIsNotAUuid() {
        Response response = http.post("/api/v1/tasks", token, Map.of("projectId", PROJECT, "type", "REVIEW",
                                                                     "title", "t", "dependencies", List.of("nope")));

        assertProblem(response, 400, "malformed_request");
        assertThat(fieldError(response)).containsEntry("field", "dependencies[0]");
    }

    @Test
    void create_returns400WithTheLocation_whenTheJsonIsCutShort() {
        Response response = http.post("/api/v1/tasks", token, "{\"projectId\": ");

        assertProblem(response, 400, "malformed_request");
        assertThat((String) response.get("detail")).contains("line 1");
    }

    @Test
    void create_returns400_whenAFieldIsGivenTwice() {
        Response response = http.post("/api/v1/tasks", token, "{\"projectId\":\"" + PROJECT
                + "\",\"type\":\"REVIEW\",\"title\":\"shown\",\"title\":\"stored\"}");

        assertProblem(response, 400, "malformed_request");
        assertThat((String) response.get("detail")).contains("title");
    }

    @Test
    void create_returns400WithoutJavaTypeNames_whenTheBodyIsNotAnObject() {
        Response response = http.post("/api/v1/tasks", token, "[1, 2]");

        assertProblem(response, 400, "malformed_request");
        assertThat((String) response.get("detail")).isEqualTo("The body must be a JSON object");
    }

    @Test
    void pathTheFirewallRefuses_answers400Problem_namingTheRequestedPath() {
        Response response = http.post("/api/v1/tasks/%2e%2e/start", token, null);

        assertProblem(response, 400, "bad_request");
        assertThat(response.get("instance")).isEqualTo("/api/v1/tasks/%2e%2e/start");
    }

    @Test
    void create_returns400NamingAnUnknownField_andStoresNothing() {
        UUID id = UUID.randomUUID();
        Response response = http.post("/api/v1/tasks", token, Map.of("id", id, "projectId", PROJECT, "type", "REVIEW",
                                                                     "titel", "typo"));

        assertProblem(response, 400, "malformed_request");
        assertThat(fieldError(response)).containsEntry("field", "titel");
        assertThat(fieldError(response).get("message")).contains("unknown field");
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void everyCommand_returns400NamingAnUnknownField() {
        UUID task = createTask();
        String step = addStep(task);
        UUID action = UUID.fromString((String) http.post("/api/v1/tasks/" + task + "/actions", token,
                                                         Map.of("type", "TEXT_INPUT", "label", "Answer")).get("id"));
        Map<String, Map<String, Object>> commands = new LinkedHashMap<>();
        commands.put("/api/v1/tasks", Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t"));
        commands.put("/api/v1/tasks/" + task + "/assign", Map.of("assigneeType", "user", "assigneeId", "bob"));
        commands.put("/api/v1/tasks/" + task + "/start", Map.of());
        commands.put("/api/v1/tasks/" + task + "/block", Map.of("reason", "r"));
        commands.put("/api/v1/tasks/" + task + "/unblock", Map.of());
        commands.put("/api/v1/tasks/" + task + "/complete", Map.of("notes", "n"));
        commands.put("/api/v1/tasks/" + task + "/actions", Map.of("type", "TEXT_INPUT", "label", "l"));
        commands.put("/api/v1/tasks/" + task + "/actions/" + action + "/submissions", Map.of("data", Map.of()));
        commands.put("/api/v1/tasks/" + task + "/targets", Map.of("targetType", "feature", "targetId", UUID.randomUUID()));
        commands.put("/api/v1/tasks/" + task + "/steps", Map.of("action", "a"));
        commands.put(step + "/start", Map.of());
        commands.put(step + "/complete", Map.of("result", "r"));
        commands.put(step + "/fail", Map.of("error", "e"));

        commands.forEach((path, body) -> {
            Map<String, Object> typo = new LinkedHashMap<>(body);
            typo.put("titel", "typo");
            Response response = http.post(path, token, typo, "Idempotency-Key", "k");

            assertProblem(response, 400, "malformed_request");
            assertThat(fieldError(response)).as(path).containsEntry("field", "titel");
        });
        assertThat(eventCount(task)).isEqualTo(3);
    }

    @Test
    void create_returns415Problem_forAMultipartBody() {
        String boundary = "verity-boundary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--" + boundary + "--\r\n";

        Response response = http.send("POST", "/api/v1/tasks", token, "multipart/form-data; boundary=" + boundary,
                                      BodyPublishers.ofString(body));

        assertProblem(response, 415, "unsupported_media_type");
    }

    @Test
    void create_returns415Problem_forAMalformedMultipartBody() {
        Response response = http.send("POST", "/api/v1/tasks", token, "multipart/form-data",
                                      BodyPublishers.ofString("not multipart at all"));

        assertProblem(response, 415, "unsupported_media_type");
    }

    @Test
    void create_returns406Problem_whenOnlyHtmlIsAcceptable() {
        Response response = http.post("/api/v1/tasks", token, Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t"),
                                      "Accept", "text/html");

        assertThat(response.status()).isEqualTo(406);
        assertThat(response.get("code")).isEqualTo("not_acceptable");
    }

    @Test
    void errorPath_answersAProblem_whenCalledDirectly() {
        Response response = http.send("GET", "/error", null, null, BodyPublishers.noBody());

        assertProblem(response, 404, "not_found");
    }

    @Test
    void get_returns405NamingTheQueryApi_withOrWithoutToken() {
        UUID task = createTask();

        for (String caller : new String[] {token, null}) {
            Response response = http.send("GET", "/api/v1/tasks/" + task, caller, null, BodyPublishers.noBody());

            assertProblem(response, 405, "method_not_allowed");
            assertThat((String) response.get("detail")).contains("http://localhost:8081/api/v1/tasks/" + task);
            assertThat(response.header("Allow")).isEqualTo("POST");
        }
    }

    @Test
    void putAndDelete_return405_onTheCommandApi() {
        for (String method : new String[] {"PUT", "DELETE", "PATCH"}) {
            Response response = http.send(method, "/api/v1/tasks", token, "application/json", BodyPublishers.ofString("{}"));

            assertProblem(response, 405, "method_not_allowed");
        }
    }

    @Test
    void oversizedToken_answersAProblem_notTomcatsPage() {
        Response response = http.post("/api/v1/tasks", "x".repeat(20_000), Map.of());

        assertThat(response.status()).isEqualTo(431);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo("header_too_large");
    }

    @Test
    void nulInAHeaderValue_answers400Problem() {
        assertRawProblem(RawHttp.exchange(port(), "POST /api/v1/tasks HTTP/1.1", "X-Correlation-Id: a\u0000b",
                                          "Content-Length: 0"), 400);
    }

    @Test
    void nulInThePath_answers400Problem() {
        assertRawProblem(RawHttp.exchange(port(), "POST /api/v1/tasks/%00/start HTTP/1.1", "Content-Length: 0"), 400);
    }

    @Test
    void rawNulInThePath_answers400Problem() {
        assertRawProblem(RawHttp.exchange(port(), "POST /api/v1/tasks/a\u0000b/start HTTP/1.1", "Content-Length: 0"), 400);
    }
}
