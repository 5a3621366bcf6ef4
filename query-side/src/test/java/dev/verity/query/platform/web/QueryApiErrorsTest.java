package dev.verity.query.platform.web;

import dev.verity.events.common.UuidV7;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Section 6 of issue 6 on the query API: no 500, every error a problem, every 400 naming its parameter. */
class QueryApiErrorsTest extends QuerySideTest {

    private static final String NUL = "%00";
    private final UUID tenant = UUID.randomUUID();
    private final String readToken = TestTokens.read(tenant);
    private final String auditToken = token("audit");
    private final String adminToken = token("admin");

    @Test
    void listTasks_returns400NamingTheParameter_forANulCharacter() {
        for (String parameter : List.of("assigneeId", "status", "type", "cursor")) {
            assertNamesField(api().get("/api/v1/tasks?" + parameter + "=a" + NUL + "b", readToken), parameter);
        }
    }

    @Test
    void listTasks_returns400NamingTheParameter_forAValueLongerThanAnyColumn() {
        assertNamesField(api().get("/api/v1/tasks?assigneeId=" + "a".repeat(256), readToken), "assigneeId");
        assertThat(api().get("/api/v1/tasks?assigneeId=" + "a".repeat(255), readToken).status()).isEqualTo(200);
    }

    @Test
    void auditEvents_returns400NamingTheParameter_forANulCharacter() {
        for (String parameter : List.of("eventType", "actorId", "aggregateType")) {
            assertNamesField(api().get("/api/v1/audit/events?" + parameter + "=" + NUL, auditToken), parameter);
        }
    }

    @Test
    void auditEvents_returns400NamingTheParameter_forInstantsOutsideYears1To9999() {
        Map<String, String> outOfRange = Map.of("from", "+1000000000-12-31T23:59:59Z",
                                                "to", "-5000-01-01T00:00:00Z");
        outOfRange.forEach((parameter, instant) -> assertNamesField(
                api().get("/api/v1/audit/events?" + parameter + "=" + encode(instant), auditToken), parameter));
        Response edge = api().get("/api/v1/audit/events?from=" + encode("0001-01-01T00:00:00Z")
                                  + "&to=" + encode("9999-12-31T23:59:59Z"), auditToken);
        assertThat(edge.status()).isEqualTo(200);
    }

    @Test
    void asOf_returns400NamingAt_forAnInstantOutsideYears1To9999() {
        for (String instant : List.of("+1000000000-12-31T23:59:59Z", "-5000-01-01T00:00:00Z", "10000-01-01T00:00:00Z")) {
            Response response = api().get("/api/v1/audit/tasks/" + UuidV7.generate() + "/as-of?at=" + encode(instant),
                                          auditToken);
            assertNamesField(response, "at");
        }
    }

    /** Tomcat refuses an encoded NUL in a path before any handler exists, so no field can be named. */
    @Test
    void pathWithANulCharacter_returns400Problem_notTomcatsHtml() {
        assertProblem(api().get("/api/v1/admin/projections/ta" + NUL + "sks", adminToken), 400, "malformed_request");
        assertProblem(api().get("/api/v1/audit/ta" + NUL + "sks/" + UuidV7.generate() + "/history", auditToken),
                      400, "malformed_request");
    }

    /** Spring Security's firewall refuses through sendError, which the error path now answers as a problem. */
    @Test
    void firewallRejection_answers400Problem() {
        assertProblem(api().get("/api/v1/tasks/a%25b", readToken), 400, "malformed_request");
    }

    @Test
    void pathVariables_return400NamingThem_forAValueLongerThanAnyColumn() {
        assertNamesField(api().get("/api/v1/admin/projections/" + "p".repeat(256), adminToken), "name");
        assertNamesField(api().get("/api/v1/admin/dead-letters?projection=" + "p".repeat(256), adminToken),
                         "projection");
    }

    @Test
    void multipartBody_answersLikeAnyOtherBody_neverA500() {
        String multipart = "multipart/form-data; boundary=xyz";
        String body = "--xyz\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\0\r\n--xy";

        Response get = api().send("GET", "/api/v1/tasks", readToken, multipart, body);
        Response post = api().send("POST", "/api/v1/audit/ledger/verify", auditToken, multipart, body);
        Response broken = api().send("GET", "/api/v1/tasks", readToken, "multipart/form-data", body);

        assertThat(get.status()).isEqualTo(200);
        assertProblem(post, 415, "unsupported_media_type");
        assertThat(broken.status()).isEqualTo(200);
    }

    @Test
    void errorPath_answers404Problem_whenCalledDirectly() {
        assertProblem(api().get("/error", null), 404, "not_found");
        assertProblem(api().get("/error", readToken), 404, "not_found");
    }

    @Test
    void writes_return405NamingTheCommandApi_withOrWithoutAToken() {
        String writer = TestTokens.token(JWT_SECRET, tenant, "read write admin audit", inTenMinutes());
        UUID taskId = UuidV7.generate();
        for (String token : new String[] {writer, null}) {
            for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
                for (String path : List.of("/api/v1/tasks", "/api/v1/tasks/" + taskId + "/start",
                                           "/api/v1/tasks/" + taskId)) {
                    Response response = api().send(method, path, token, "application/json", "{}");
                    assertProblem(response, 405, "method_not_allowed");
                    assertThat(response.body().get("detail").asString())
                            .as(method + " " + path).contains("command API").contains("http://localhost:8080");
                }
            }
        }
    }

    @Test
    void wrongMethod_onAnAuditPath_returns405NamingTheCommandApi() {
        Response response = api().send("POST", "/api/v1/audit/tasks/" + UuidV7.generate() + "/history", auditToken,
                                       "application/json", "{}");

        assertProblem(response, 405, "method_not_allowed");
        assertThat(response.body().get("detail").asString()).contains("command API");
    }

    @Test
    void realPostEndpoints_stillAnswer() {
        assertThat(api().post("/api/v1/audit/ledger/verify", auditToken, null).status()).isEqualTo(200);
        assertProblem(api().post("/api/v1/admin/dead-letters/" + UUID.randomUUID() + "/retry", adminToken, null),
                      404, "not_found");
    }

    @Test
    void oversizedHeaderOrToken_answersProblemJson_notTomcatsHtml() {
        Response header = api().send("GET", "/api/v1/tasks", readToken, null, null, "X-Padding", "p".repeat(20_000));
        Response token = api().send("GET", "/api/v1/tasks", readToken + "x".repeat(20_000), null, null);

        assertProblem(header, 400, "malformed_request");
        assertProblem(token, 400, "malformed_request");
        assertThat(header.body().get("detail").asString()).contains("too large");
    }

    private String token(String scope) {
        return TestTokens.token(JWT_SECRET, tenant, scope, inTenMinutes());
    }

    private static Instant inTenMinutes() {
        return Instant.now().plus(Duration.ofMinutes(10));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void assertNamesField(Response response, String field) {
        assertProblem(response, 400, "validation_failed");
        assertThat(response.body().get("errors").get(0).get("field").asString()).as(String.valueOf(response.body()))
                                                                                .isEqualTo(field);
        assertThat(response.body().get("errors").get(0).get("message").asString()).isNotBlank();
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
        assertThat(response.body().get("type").asString()).isEqualTo("urn:verity:problem:" + code);
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
    }
}
