package dev.verity.query.kit.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCreated;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionFailed;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionEvent.KitOutputRecorded;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import dev.verity.query.QuerySideTest;
import dev.verity.query.kit.KitExecutionEvents;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static dev.verity.query.kit.KitExecutionEvents.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The projection called directly, as a replay or a rebuild would call it: events it has already
 * applied change nothing (the derived totals above all: an output counted twice would be a wrong
 * bill), and it writes whichever schema its writer points at. These executions never reach the
 * event store, so the live processor leaves them alone.
 */
class KitExecutionProjectionReplayTest extends QuerySideTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final UUID tenant = UUID.randomUUID();
    private final UUID executionId = UuidV7.generate();
    private final String scratch = "scratch_" + UUID.randomUUID().toString().replace("-", "");

    @Autowired
    private NamedParameterJdbcTemplate jdbc;

    @AfterEach
    void dropScratchSchema() {
        owner.execute("DROP SCHEMA IF EXISTS " + scratch + " CASCADE");
    }

    private KitExecutionProjection live() {
        return new KitExecutionProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }

    private KitExecutionCreated created() {
        return KitExecutionEvents.created(executionId, tenant, UUID.randomUUID());
    }

    @Test
    void redeliveredEvents_changeNothing_andNeverCountAnOutputTwice() {
        KitExecutionProjection projection = live();
        KitOutputRecorded hero = output(executionId, UuidV7.generate(), "hero", KitOutputStatus.VALID, 100, 10);
        KitExecutionCompleted completed = new KitExecutionCompleted(executionId, KitExecutionStatus.COMPLETED,
                                                                    new BigDecimal("0.5"), null, null);
        projection.on(created(), 0, T0);
        projection.on(new KitExecutionStarted(executionId), 1, T0.plusSeconds(1));
        projection.on(hero, 2, T0.plusSeconds(2));
        projection.on(completed, 3, T0.plusSeconds(3));
        Map<String, Object> before = row();

        projection.on(created(), 0, T0.plusSeconds(10));
        projection.on(new KitExecutionStarted(executionId), 1, T0.plusSeconds(11));
        projection.on(hero, 2, T0.plusSeconds(12));
        projection.on(completed, 3, T0.plusSeconds(13));

        assertThat(row()).isEqualTo(before);
        assertThat(row()).containsEntry("output_count", 1).containsEntry("token_usage_total", 110);
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.kit_execution_outputs WHERE execution_id = ?",
                                        Long.class, executionId)).isOne();
    }

    @Test
    void anOlderEvent_neverMovesTheVersionBack() {
        KitExecutionProjection projection = live();
        projection.on(created(), 0, T0);
        projection.on(new KitExecutionFailed(executionId, "boom", null, null), 2, T0.plusSeconds(2));

        projection.on(new KitExecutionStarted(executionId), 1, T0.plusSeconds(1));

        assertThat(row()).containsEntry("status", "failed").containsEntry("version", 2L);
    }

    @Test
    void aProjectionOverAnotherSchema_writesThereAndNotIntoTheReadModel() {
        owner.execute("CREATE SCHEMA " + scratch);
        for (String table : KitExecutionProjectionConfiguration.TABLES) {
            owner.execute("CREATE TABLE " + scratch + "." + table + " (LIKE read_model." + table + " INCLUDING ALL)");
        }
        KitExecutionProjection projection = new KitExecutionProjection(new ReadModelWriter(jdbc, scratch));

        projection.on(created(), 0, T0);
        projection.on(new KitExecutionStarted(executionId), 1, T0.plusSeconds(1));
        projection.on(output(executionId, UuidV7.generate(), "hero", KitOutputStatus.FAILED, 5, 5), 2,
                      T0.plusSeconds(2));

        assertThat(owner.queryForMap("SELECT status, outputs_failed, version FROM " + scratch
                                     + ".kit_executions WHERE id = ?", executionId))
                .containsEntry("status", "running").containsEntry("outputs_failed", 1).containsEntry("version", 2L);
        assertThat(owner.queryForObject("SELECT count(*) FROM " + scratch + ".kit_execution_outputs"
                                        + " WHERE execution_id = ?", Long.class, executionId)).isOne();
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.kit_executions WHERE id = ?", Long.class,
                                        executionId)).isZero();
    }

    /** 24.8 days is the most milliseconds an INTEGER holds: a longer run has no truthful execution_time_ms. */
    @Test
    void aRunTimeTheIntegerColumnCannotHold_isLeftNull_andTheTimesStay() {
        KitExecutionProjection projection = live();
        projection.on(created(), 0, T0);
        projection.on(new KitExecutionStarted(executionId), 1, T0);

        projection.on(new KitExecutionCompleted(executionId, KitExecutionStatus.COMPLETED, null, null, null), 2,
                      T0.plus(Duration.ofDays(25)));

        assertThat(owner.queryForMap("SELECT execution_time_ms, completed_at - started_at = interval '25 days' AS took"
                                     + " FROM read_model.kit_executions WHERE id = ?", executionId))
                .containsEntry("execution_time_ms", null).containsEntry("took", true);
    }

    @Test
    void theLongestRunTimeTheColumnHolds_isKept() {
        KitExecutionProjection projection = live();
        projection.on(created(), 0, T0);
        projection.on(new KitExecutionStarted(executionId), 1, T0);

        projection.on(new KitExecutionFailed(executionId, "timeout", null, null), 2, T0.plusMillis(Integer.MAX_VALUE));

        assertThat(row()).containsEntry("execution_time_ms", Integer.MAX_VALUE);
    }

    /** Two command nodes whose clocks disagree may stamp the end before the start. */
    @Test
    void anEndStampedBeforeTheStart_hasNoRunTime() {
        KitExecutionProjection projection = live();
        projection.on(created(), 0, T0);
        projection.on(new KitExecutionStarted(executionId), 1, T0.plusSeconds(5));

        projection.on(new KitExecutionFailed(executionId, "boom", null, null), 2, T0.plusSeconds(4));

        assertThat(row()).containsEntry("status", "failed").containsEntry("execution_time_ms", null);
    }

    /**
     * The aggregate refuses a reused output id, but an event store may hold older ones: the second
     * insert fails (and the live processor parks the event) instead of silently keeping the first.
     * Run directly, because a stored event that cannot project would fail every later rebuild.
     */
    @Test
    void anOutputIdReusedWithinOneExecution_fails_insteadOfBeingSkipped_andCountsNothing() {
        KitExecutionProjection projection = live();
        projection.on(created(), 0, T0);
        projection.on(new KitExecutionStarted(executionId), 1, T0.plusSeconds(1));
        projection.on(output(executionId, UuidV7.generate(), "hero", KitOutputStatus.VALID, 1, 1), 2,
                      T0.plusSeconds(2));

        assertThatThrownBy(() -> projection.on(output(executionId, UuidV7.generate(), "hero", KitOutputStatus.FAILED,
                                                      1, 1), 3, T0.plusSeconds(3)))
                .isInstanceOf(DuplicateKeyException.class);
        assertThat(row()).containsEntry("output_count", 1).containsEntry("token_usage_total", 2);
    }

    @Test
    void anOutputOfAnExecutionThatDoesNotExist_isSkipped() {
        live().on(output(executionId, UuidV7.generate(), "hero", KitOutputStatus.VALID, 1, 1), 2, T0);

        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.kit_execution_outputs WHERE execution_id = ?",
                                        Long.class, executionId)).isZero();
    }

    private Map<String, Object> row() {
        return owner.queryForMap("SELECT status, version, output_count, token_usage_total, execution_time_ms,"
                                 + " to_jsonb(e)::text AS whole FROM read_model.kit_executions e WHERE id = ?",
                                 executionId);
    }
}
