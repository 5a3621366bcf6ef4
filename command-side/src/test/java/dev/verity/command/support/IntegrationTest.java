package dev.verity.command.support;

import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The command side running for real on the test PostgreSQL. Every test works in a fresh tenant,
 * so tests share one application context and one database without cleaning up.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    @LocalServerPort
    private int port;

    @Autowired
    protected JdbcTemplate jdbc;

    protected Http http;
    protected UUID tenant;
    protected String token;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.connection().springProperties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("verity.security.jwt-secret", () -> TestTokens.SECRET);
    }

    @BeforeEach
    void newTenant() {
        http = new Http("http://127.0.0.1:" + port);
        tenant = UUID.randomUUID();
        token = TestTokens.token(tenant, "read write");
    }

    protected long eventCount(Object aggregateId) {
        return jdbc.queryForObject("SELECT count(*) FROM event_store.domain_event_entry WHERE aggregate_identifier = ?",
                                   Long.class, aggregateId.toString());
    }

    protected static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out waiting for " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
