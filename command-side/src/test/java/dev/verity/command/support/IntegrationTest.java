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

    protected int port() {
        return port;
    }

    protected long eventCount(Object aggregateId) {
        return jdbc.queryForObject("SELECT count(*) FROM event_store.domain_event_entry WHERE aggregate_identifier = ?",
                                   Long.class, aggregateId.toString());
    }

    /**
     * Appends a Task event row directly, on a connection of the caller's (typically inside a
     * transaction it keeps open): another writer the command side knows nothing about.
     *
     * @return the row's global index
     */
    protected long insertRawTaskEvent(java.sql.Connection connection, UUID taskId, long sequence, String eventType,
                                      String payload, String metaData) throws java.sql.SQLException {
        try (java.sql.PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO event_store.domain_event_entry (aggregate_identifier, sequence_number, type,"
                + " event_identifier, meta_data, payload, payload_type, time_stamp)"
                + " VALUES (?, ?, 'Task', ?, convert_to(?, 'UTF8'), convert_to(?, 'UTF8'), ?, ?)"
                + " RETURNING global_index")) {
            insert.setString(1, taskId.toString());
            insert.setLong(2, sequence);
            insert.setString(3, UUID.randomUUID().toString());
            insert.setString(4, metaData);
            insert.setString(5, payload);
            insert.setString(6, "dev.verity.events.task.TaskEvent$" + eventType);
            insert.setString(7, Instant.now().toString());
            try (java.sql.ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
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
