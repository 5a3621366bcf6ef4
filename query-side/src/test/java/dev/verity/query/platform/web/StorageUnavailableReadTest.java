package dev.verity.query.platform.web;

import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import dev.verity.testing.CuttableProxy;
import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A read while PostgreSQL cannot be reached is a 503 problem the client may retry, not a 500. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "spring.datasource.hikari.connection-timeout=1000")
@DirtiesContext
class StorageUnavailableReadTest {

    private static CuttableProxy proxy;

    @LocalServerPort
    private int port;

    private final HttpClient client = HttpClient.newHttpClient();
    private final String token = TestTokens.read(UUID.randomUUID());

    /** The app reaches PostgreSQL only through a proxy the test can take away. */
    @DynamicPropertySource
    static void throughTheProxy(DynamicPropertyRegistry registry) throws IOException {
        TestDatabase.Connection database = TestDatabase.connection();
        URI direct = URI.create(database.url().substring("jdbc:".length()));
        proxy = new CuttableProxy(direct.getHost(), direct.getPort() < 0 ? 5432 : direct.getPort());
        String proxied = "jdbc:postgresql://127.0.0.1:" + proxy.port() + direct.getRawPath()
                         + (direct.getRawQuery() == null ? "" : "?" + direct.getRawQuery());
        registry.add("spring.datasource.url", () -> proxied);
        registry.add("spring.datasource.username", database::username);
        registry.add("spring.datasource.password", database::password);
        registry.add("verity.security.jwt-secret", () -> QuerySideTest.JWT_SECRET);
    }

    @Test
    void read_returns503ProblemWithRetryAfter_whileTheDatabaseIsUnreachable_andAnswersAgainOnceItIsBack()
            throws Exception {
        String path = "/api/v1/tasks/" + UUID.randomUUID();
        assertThat(get(path).statusCode()).isEqualTo(404);

        HttpResponse<String> unavailable;
        proxy.refuse(true);
        try {
            proxy.cut();
            unavailable = get(path);
        } finally {
            proxy.refuse(false);
        }

        assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(unavailable.body()).contains("\"code\":\"storage_unavailable\"");
        assertThat(retryUntilAnswered(path).statusCode()).isEqualTo(404);
    }

    /** The pool may hand out a connection cut a moment ago before it notices. */
    private HttpResponse<String> retryUntilAnswered(String path) throws Exception {
        HttpResponse<String> response = get(path);
        for (int i = 0; i < 20 && response.statusCode() == 503; i++) {
            Thread.sleep(100);
            response = get(path);
        }
        return response;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                      .timeout(Duration.ofSeconds(20))
                                      .header("Authorization", "Bearer " + token).GET().build(),
                           HttpResponse.BodyHandlers.ofString());
    }
}
