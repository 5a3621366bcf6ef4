package dev.verity.query.platform.security;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ApiSecurityTest extends QuerySideTest {

    private static final String TASKS = "/api/v1/tasks";
    private final UUID tenant = UUID.randomUUID();
    private final Instant inTenMinutes = Instant.now().plus(Duration.ofMinutes(10));

    @Test
    void health_answersWithoutAToken() {
        Response response = api().get("/actuator/health", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("status").asString()).isEqualTo("UP");
        assertThat(response.body().has("components")).isFalse();
    }

    @Test
    void read_returns401_withoutAToken() {
        assertProblem(api().get(TASKS, null), 401, "unauthorized");
    }

    @Test
    void read_returns401_forATokenSignedWithAnotherSecret() {
        String forged = TestTokens.token("another-secret-that-is-also-32-bytes-long", tenant, "read", inTenMinutes);

        assertProblem(api().get(TASKS, forged), 401, "unauthorized");
    }

    @Test
    void read_returns401_forAnExpiredToken() {
        String expired = TestTokens.token(JWT_SECRET, tenant, "read", Instant.now().minus(Duration.ofMinutes(10)));

        assertProblem(api().get(TASKS, expired), 401, "unauthorized");
    }

    @Test
    void read_returns401_forATokenWhoseTenantIsNotAUuid() {
        String token = TestTokens.token(JWT_SECRET, "acme", "read", inTenMinutes);

        assertProblem(api().get(TASKS, token), 401, "unauthorized");
    }

    @Test
    void read_returns401_forATamperedOrMalformedToken() {
        String token = TestTokens.token(JWT_SECRET, tenant, "read", inTenMinutes);
        String garbage = token.substring(0, token.length() - 4) + "AAAA";

        assertProblem(api().get(TASKS, garbage), 401, "unauthorized");
        assertProblem(api().get(TASKS, "not.a.jwt"), 401, "unauthorized");
    }

    @Test
    void read_returns403_withoutTheReadScope() {
        String writeOnly = TestTokens.token(JWT_SECRET, tenant, "write audit", inTenMinutes);

        assertProblem(api().get(TASKS, writeOnly), 403, "forbidden");
    }

    @Test
    void read_succeeds_withTheReadScopeAmongOthers() {
        String token = TestTokens.token(JWT_SECRET, tenant, "write read", inTenMinutes);

        assertThat(api().get(TASKS, token).status()).isEqualTo(200);
    }

    @Test
    void writes_areNotServed_evenWithAValidToken() {
        String token = TestTokens.token(JWT_SECRET, tenant, "read write admin", inTenMinutes);

        assertProblem(api().post(TASKS, token), 405, "method_not_allowed");
    }

    @Test
    void head_answersAsGetDoes_withoutABody() {
        String reader = TestTokens.token(JWT_SECRET, tenant, "read", inTenMinutes);
        String writeOnly = TestTokens.token(JWT_SECRET, tenant, "write", inTenMinutes);

        Response head = api().send("HEAD", TASKS, reader, null, null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isNull();
        assertThat(api().send("HEAD", TASKS + "/" + UUID.randomUUID(), reader, null, null).status()).isEqualTo(404);
        assertThat(api().send("HEAD", TASKS, null, null, null).status()).isEqualTo(401);
        assertThat(api().send("HEAD", TASKS, writeOnly, null, null).status()).isEqualTo(403);
        String record = "/api/v1/stream?topics=records:task/" + UUID.randomUUID();
        Response stream = api().send("HEAD", record, reader, null, null);
        assertThat(stream.status()).as("HEAD on the live stream answers at once, opening no stream").isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        assertThat(api().send("HEAD", "/api/v1/stream?topics=nonsense", reader, null, null).status()).isEqualTo(400);
    }

    @Test
    void read_returns401_forASubjectNoActorIdColumnCanHold() {
        for (String subject : new String[] {"a".repeat(256), "ali\u0000ce", "bob\nsmith", "eve\u001b[31m"}) {
            String token = TestTokens.withSubject(subject, tenant, "read");
            assertProblem(api().get(TASKS, token), 401, "unauthorized");
        }
        assertThat(api().get(TASKS, TestTokens.withSubject("a".repeat(255), tenant, "read")).status()).isEqualTo(200);
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
        assertThat(response.body().get("type").asString()).isEqualTo("urn:verity:problem:" + code);
    }
}
