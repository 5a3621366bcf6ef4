package dev.verity.query;

import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.verity.query.platform.projection.SqlValues.time;

/**
 * A projection that exists only in tests, registered like any real one (processing group, dead-letter
 * queue, admin API), whose handlers can be told to fail or to hold on one task. It keeps one row
 * per task in {@code read_model.probe_tasks}. A fault fires after the row is written, so a parked
 * event also proves that its half-done write was rolled back. A planted statement
 * ({@link #trespassOn}) plays a faulty projection that reaches for another tenant's rows. Faults are global to the JVM: tests
 * set them only on their own task ids and {@link #reset} them afterwards.
 */
@ProcessingGroup(ProbeProjection.NAME)
public class ProbeProjection {

    public static final String NAME = "probe";
    public static final String TABLE = "probe_tasks";
    public static final String FAULT_MESSAGE = "probe fault";
    public static final String TRESPASS_MESSAGE = "probe statement reached no row";
    public static final String TRESPASS_REFUSED = "probe statement refused";

    private record Trespass(String sql, MapSqlParameterSource parameters) {
    }

    private static final Map<UUID, Hold> HOLDS = new ConcurrentHashMap<>();
    private static final Map<UUID, Boolean> FAILING = new ConcurrentHashMap<>();
    private static final Map<UUID, Trespass> TRESPASSES = new ConcurrentHashMap<>();
    private static final Map<UUID, Boolean> FAILING_IN_DATABASE = new ConcurrentHashMap<>();

    private final ReadModelWriter writer;

    ProbeProjection(ReadModelWriter writer) {
        this.writer = writer;
    }

    /** Every instance fails on this task's events until {@link #heal}. */
    public static void failOn(UUID taskId) {
        FAILING.put(taskId, true);
    }

    /**
     * Every instance fails on this task's creation in PostgreSQL, whose error message quotes the
     * task's title (SQLState 22P02), until {@link #heal}. The event itself is fine: a rebuild, run
     * once healed, applies it, so no test leaves an event in the store that cannot project.
     */
    public static void failInDatabaseOn(UUID taskId) {
        FAILING_IN_DATABASE.put(taskId, true);
    }

    public static void heal(UUID taskId) {
        FAILING.remove(taskId);
        FAILING_IN_DATABASE.remove(taskId);
    }

    /** The next instance to handle an event of this task waits there until the hold is released. */
    public static Hold holdOn(UUID taskId) {
        Hold hold = new Hold();
        HOLDS.put(taskId, hold);
        return hold;
    }

    /**
     * Every instance handling this task's next assignments also runs {@code sql} (tables named
     * {@code {schema}.table}) in the same handler: a projection's faulty statement, on purpose.
     */
    public static void trespassOn(UUID taskId, String sql, MapSqlParameterSource parameters) {
        TRESPASSES.put(taskId, new Trespass(sql, parameters));
    }

    public static void reset() {
        FAILING.clear();
        TRESPASSES.clear();
        FAILING_IN_DATABASE.clear();
        HOLDS.values().forEach(Hold::release);
        HOLDS.clear();
    }

    @EventHandler
    public void on(TaskCreated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.insert(TABLE, new MapSqlParameterSource()
                .addValue("id", e.taskId())
                .addValue("tenant_id", e.tenantId())
                .addValue("title", e.title())
                .addValue("assignee_id", e.assigneeId())
                .addValue("created_at", time(at))
                .addValue("updated_at", time(at))
                .addValue("version", version));
        if (FAILING_IN_DATABASE.containsKey(e.taskId())) {
            writer.queryForObject("SELECT CAST(:title AS integer)", new MapSqlParameterSource("title", e.title()),
                                  Integer.class);
        }
        faults(e.taskId());
    }

    @EventHandler
    public void on(TaskAssigned e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(TABLE, e.taskId(), version, at).ifPresent(tenant -> writer.update(
                TABLE, new MapSqlParameterSource("tenant_id", tenant).addValue("id", e.taskId()),
                new MapSqlParameterSource("assignee_id", e.assigneeId())));
        trespass(e.taskId());
        faults(e.taskId());
    }

    /**
     * Runs the statement a test planted for this task. A statement the database refused fails
     * with the database's own words (Spring's translation drops them) and its SQLState in the
     * cause chain; one that reached no row fails too.
     */
    private void trespass(UUID taskId) {
        Trespass trespass = TRESPASSES.get(taskId);
        if (trespass == null) {
            return;
        }
        int[] counts;
        try {
            counts = writer.batch(trespass.sql(), List.of(trespass.parameters()));
        } catch (DataAccessException e) {
            throw new TrespassRefused(TRESPASS_REFUSED + ": " + e.getMostSpecificCause().getMessage(), e);
        }
        if (counts[0] == 0) {
            throw new TrespassReachedNoRow(TRESPASS_MESSAGE + ": " + trespass.sql());
        }
    }

    /** Dead letters keep exception classes and SQLStates, not messages: the class says which trespass failed. */
    public static final class TrespassRefused extends IllegalStateException {
        TrespassRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final class TrespassReachedNoRow extends IllegalStateException {
        TrespassReachedNoRow(String message) {
            super(message);
        }
    }

    private static void faults(UUID taskId) {
        Hold hold = HOLDS.remove(taskId);
        if (hold != null) {
            hold.holdHere();
        }
        if (FAILING.containsKey(taskId)) {
            throw new IllegalStateException(FAULT_MESSAGE + " on task " + taskId);
        }
    }

    /** A handler parked on a task until the test lets it go. */
    public static final class Hold {

        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        public boolean awaitEntered(Duration timeout) throws InterruptedException {
            return entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void release() {
            released.countDown();
        }

        private void holdHere() {
            entered.countDown();
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Its table, processor and definition; the table is made here because no migration knows it. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Registration {

        @Bean
        ProbeProjection probeProjection(NamedParameterJdbcTemplate jdbc) {
            jdbc.getJdbcTemplate().execute("""
                    CREATE TABLE IF NOT EXISTS read_model.probe_tasks (
                        id          UUID         NOT NULL,
                        tenant_id   UUID         NOT NULL,
                        title       VARCHAR(255) NOT NULL,
                        assignee_id VARCHAR(255),
                        created_at  TIMESTAMPTZ  NOT NULL,
                        updated_at  TIMESTAMPTZ  NOT NULL,
                        version     BIGINT       NOT NULL,
                        CONSTRAINT pk_probe_tasks PRIMARY KEY (id)
                    );
                    CREATE INDEX IF NOT EXISTS idx_probe_tasks_tenant ON read_model.probe_tasks (tenant_id);
                    SELECT read_model.enable_tenant_isolation('read_model.probe_tasks');""");
            return new ProbeProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
        }

        @Bean
        ProjectionDefinition probeProjectionDefinition() {
            return new ProjectionDefinition() {
                @Override
                public String name() {
                    return NAME;
                }

                @Override
                public List<String> tables() {
                    return List.of(TABLE);
                }

                @Override
                public Object newInstance(ReadModelWriter writer) {
                    return new ProbeProjection(writer);
                }
            };
        }

        @Bean
        ConfigurerModule probeProcessor() {
            return configurer -> configurer.eventProcessing().registerPooledStreamingEventProcessor(
                    NAME, configuration -> configuration.eventStore(),
                    // Claims every 500 ms like every real processor (application.yml); 2 segments, so
                    // the splitter has a store made with fewer segments to bring up to the count.
                    (configuration, builder) -> builder.initialSegmentCount(2).batchSize(100).tokenClaimInterval(500));
        }
    }
}
