package dev.verity.command.platform.web;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the read model cannot hold is refused at the door: oversized bodies and unstorable actors. */
class RequestLimitsTest extends IntegrationTest {

    private static final String PROJECT = "0190c3a0-0000-7000-8000-0000000000e7";

    private static String createBody(UUID id, String metadataValue) {
        return "{\"id\":\"" + id + "\",\"projectId\":\"" + PROJECT + "\",\"type\":\"REVIEW\",\"title\":\"big\","
               + "\"metadata\":{\"blob\":\"" + metadataValue + "\"}}";
    }

    private long storedKeys() {
        return jdbc.queryForObject("SELECT count(*) FROM command_model.idempotency_keys WHERE tenant_id = ?",
                                   Long.class, tenant);
    }

    private static void assertTooLarge(Response response) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(413);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo("payload_too_large");
        assertThat((String) response.get("detail")).contains("1048576");
    }

    @Test
    void create_returns413_forTenMegabytesOfMetadata_andStoresNothing() {
        UUID id = UUID.randomUUID();

        Response response = http.post("/api/v1/tasks", token, createBody(id, "x".repeat(10 * 1024 * 1024)),
                                      "Idempotency-Key", "big-1");

        assertTooLarge(response);
        assertThat(eventCount(id)).isZero();
        assertThat(storedKeys()).isZero();
    }

    @Test
    void create_returns413_forAChunkedBodyOverTheLimit() {
        UUID id = UUID.randomUUID();
        byte[] body = createBody(id, "y".repeat(2 * 1024 * 1024)).getBytes(StandardCharsets.UTF_8);

        Response response = http.send("POST", "/api/v1/tasks", token, "application/json",
                                      BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

        assertTooLarge(response);
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void create_acceptsAChunkedBodyUnderTheLimit() {
        UUID id = UUID.randomUUID();
        byte[] body = createBody(id, "small").getBytes(StandardCharsets.UTF_8);

        Response response = http.send("POST", "/api/v1/tasks", token, "application/json",
                                      BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                                      "Idempotency-Key", "chunked-1");

        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void create_returns401_whenTheTokenSubjectIsLongerThanItsColumn() {
        String longSubject = TestTokens.token(TestTokens.SECRET, tenant.toString(), "a".repeat(256), "read write",
                                              Duration.ofMinutes(5));

        Response response = http.post("/api/v1/tasks", longSubject,
                                      Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.get("code")).isEqualTo("unauthorized");
        assertThat((String) response.get("detail")).contains("sub");
    }

    @Test
    void create_returns401_whenTheTokenSubjectHoldsControlCharacters() {
        for (String subject : new String[] {"al\u0000ice", "al\nice", "al\u007fice"}) {
            String odd = TestTokens.token(TestTokens.SECRET, tenant.toString(), subject, "read write",
                                          Duration.ofMinutes(5));

            Response response = http.post("/api/v1/tasks", odd, Map.of("projectId", PROJECT, "type", "REVIEW",
                                                                       "title", "t"));

            assertThat(response.status()).as(subject).isEqualTo(401);
        }
    }

    @Test
    void create_accepts_aSubjectOfExactly255Characters() {
        String widest = TestTokens.token(TestTokens.SECRET, tenant.toString(), "a".repeat(255), "read write",
                                         Duration.ofMinutes(5));

        assertThat(http.post("/api/v1/tasks", widest, Map.of("projectId", PROJECT, "type", "REVIEW", "title", "t"))
                       .status()).isEqualTo(201);
    }
}
