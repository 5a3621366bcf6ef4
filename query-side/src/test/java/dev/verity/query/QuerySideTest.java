package dev.verity.query;

import dev.verity.testing.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * One application context on the real test database for every query-side test class, so the
 * `tasks` processor runs once and the context is cached. Tests never clean tables: each one
 * works in its own random tenant. The context also holds the test-only {@link ProbeProjection}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({EventStreams.class, ProbeProjection.Registration.class})
public abstract class QuerySideTest {

    public static final String JWT_SECRET = "query-side-test-secret-with-more-than-32-bytes";
    protected static final Duration MIN_VERSION_TIMEOUT = Duration.ofMillis(1500);
    protected static final int PROBE_DEAD_LETTER_CAP = 20;

    @DynamicPropertySource
    static void testDatabase(DynamicPropertyRegistry registry) {
        TestDatabase.connection().springProperties().forEach((name, value) -> registry.add(name, () -> value));
        registry.add("verity.security.jwt-secret", () -> JWT_SECRET);
        registry.add("verity.query.min-version-timeout", () -> MIN_VERSION_TIMEOUT.toMillis() + "ms");
        // Smaller replay batches than in production, so a rebuild in a test shows progress early;
        // not much smaller, since the command side's tests leave some 10,000 events in this database first.
        // RebuildBenchmark measures other sizes with -Dverity.bench.replay.batch-size.
        registry.add("verity.projections.replay-batch-size",
                     () -> Integer.getInteger("verity.bench.replay.batch-size", 200));
        // 4 segments, as 3 or 4 query nodes split them to, so tests share and split them among nodes.
        registry.add("verity.projections.segments", () -> "4");
        // Live streams notice a client that went away when a heartbeat fails to reach it: soon, in tests.
        registry.add("verity.stream.heartbeat", () -> "1s");
        // A tiny dead-letter cap for the test projection only, so a test can fill its queue.
        registry.add("verity.projections.dead-letters.overrides.probe.max-sequences", () -> PROBE_DEAD_LETTER_CAP);
    }

    /** The application's own connection: it owns the tables, so row-level security does not apply to it. */
    @Autowired
    protected JdbcTemplate owner;

    @Autowired
    protected EventStreams eventStreams;

    @Autowired
    private JsonMapper json;

    @LocalServerPort
    private int port;

    protected ApiClient api() {
        return new ApiClient(port, json);
    }

    /** Waits until the live projection has applied the task's event at {@code version}. */
    protected void awaitTaskVersion(UUID taskId, long version) {
        await().atMost(Duration.ofSeconds(15))
               .pollInterval(Duration.ofMillis(20))
               .until(() -> owner.queryForList("SELECT version FROM read_model.tasks WHERE id = ?", Long.class, taskId)
                                 .stream().anyMatch(v -> v >= version));
    }
}
