package dev.verity.command.execution;

import dev.verity.command.CommandSideApplication;
import dev.verity.command.support.Http;
import dev.verity.command.support.Http.Response;
import dev.verity.command.support.TestTokens;
import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkpoint's expiry is a persistent deadline: the command side is stopped before the
 * checkpoint expires and started again after, and the expiry is recorded all the same, by the
 * new instance. Its deadlines live in a table of this test's own, so no other command side in
 * the test JVM (other test classes keep theirs running) can fire it meanwhile.
 */
class CheckpointExpiryRestartTest {

    private static final String TABLE = "event_store.scheduled_tasks_restart_test";

    private ConfigurableApplicationContext app;

    private ConfigurableApplicationContext start() {
        Map<String, Object> properties = new HashMap<>(TestDatabase.connection().springProperties());
        properties.put("server.port", "0");
        properties.put("verity.security.jwt-secret", TestTokens.SECRET);
        properties.put("verity.deadlines.table", TABLE);
        properties.put("verity.deadlines.polling-interval", "200ms");
        // As arguments, which outrank application.yml (default properties would not).
        String[] arguments = properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue())
                                       .toArray(String[]::new);
        return new SpringApplicationBuilder(CommandSideApplication.class).run(arguments);
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static Http http(ConfigurableApplicationContext app) {
        return new Http("http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort());
    }

    private static List<String> eventTypes(JdbcTemplate jdbc, UUID id) {
        return jdbc.queryForList("SELECT regexp_replace(payload_type, '.*\\$', '') FROM event_store.domain_event_entry"
                                 + " WHERE aggregate_identifier = ? ORDER BY sequence_number", String.class, id.toString());
    }

    @Test
    void checkpointExpiringWhileTheCommandSideIsDown_isRecordedWhenItComesBack() throws Exception {
        app = start();
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        jdbc.execute("DROP TABLE IF EXISTS " + TABLE);
        // Created once the app's Flyway has run; until then its scheduler's polls find no table and retry.
        jdbc.execute("CREATE TABLE " + TABLE + " (LIKE event_store.scheduled_tasks INCLUDING ALL)");
        UUID tenant = UUID.randomUUID();
        String token = TestTokens.token(tenant, "write");
        Http http = http(app);
        Response created = http.post("/api/v1/executions", token, Map.of(
                "projectId", UUID.randomUUID(), "strategy", "s", "agents", List.of()));
        UUID id = UUID.fromString((String) created.get("id"));
        http.post("/api/v1/executions/" + id + "/start", token, null);
        Response checkpoint = http.post("/api/v1/executions/" + id + "/checkpoints", token,
                                        Map.of("stepIndex", 0, "stepName", "first", "state", Map.of(), "ttl", "PT3S"));
        assertThat(checkpoint.status()).as(checkpoint.body().toString()).isEqualTo(201);
        Instant expiresAt = Instant.parse((String) checkpoint.get("expiresAt"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM " + TABLE, Long.class)).isEqualTo(1);

        assertThat(eventTypes(jdbc, id)).endsWith("CheckpointCreated");
        app.close();
        TestDatabase.Connection connection = TestDatabase.connection();
        JdbcTemplate outside = new JdbcTemplate(new DriverManagerDataSource(connection.url(), connection.username(),
                                                                            connection.password()));
        assertThat(eventTypes(outside, id)).as("seen from outside").endsWith("CheckpointCreated");
        while (Instant.now().isBefore(expiresAt.plusSeconds(1))) {
            Thread.sleep(100);
        }
        assertThat(eventTypes(outside, id)).as("nothing fires while the command side is down")
                                           .doesNotContain("CheckpointExpired");

        app = start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!eventTypes(outside, id).contains("CheckpointExpired") && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }

        assertThat(eventTypes(outside, id)).endsWith("CheckpointCreated", "CheckpointExpired");
        assertThat(outside.queryForObject("SELECT count(*) FROM " + TABLE + " WHERE picked = false", Long.class))
                .as("the deadline is done").isZero();
        app.getBean(JdbcTemplate.class).execute("DROP TABLE " + TABLE);
    }
}
