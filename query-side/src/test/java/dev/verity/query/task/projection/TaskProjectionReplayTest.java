package dev.verity.query.task.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepCompleted;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The projection called directly, as a replay or a rebuild would call it: events it has
 * already applied change nothing, and it writes whichever schema its writer points at.
 * These task ids never reach the event store, so the live processor leaves them alone.
 */
class TaskProjectionReplayTest extends QuerySideTest {

    private static final String[] TABLES = {"tasks", "task_actions", "task_targets", "action_submissions",
                                            "task_activity", "steps"};
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final UUID tenant = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();
    private final MetaData metaData = EventStreams.metaData(tenant);
    private final String scratch = "scratch_" + UUID.randomUUID().toString().replace("-", "");

    @Autowired
    private NamedParameterJdbcTemplate jdbc;

    @AfterEach
    void dropScratchSchema() {
        owner.execute("DROP SCHEMA IF EXISTS " + scratch + " CASCADE");
    }

    @Test
    void redeliveredEvents_changeNothing() {
        TaskProjection projection = new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
        TaskCreated created = TaskEvents.created(taskId, tenant, UUID.randomUUID());
        TaskAssigned assigned = new TaskAssigned(taskId, AssigneeType.USER, "bob");
        projection.on(created, 0, T0, metaData);
        projection.on(assigned, 1, T0.plusSeconds(1), metaData);
        Map<String, Object> before = taskRow();

        projection.on(created, 0, T0.plusSeconds(10), metaData);
        projection.on(assigned, 1, T0.plusSeconds(11), metaData);
        projection.on(new TaskAssigned(taskId, AssigneeType.AGENT, "someone-else"), 1, T0.plusSeconds(12), metaData);

        assertThat(taskRow()).isEqualTo(before);
        assertThat(activityTypes()).containsExactly("created", "assigned");
    }

    @Test
    void anOlderEvent_neverMovesTheVersionBack() {
        TaskProjection projection = new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
        projection.on(TaskEvents.created(taskId, tenant, UUID.randomUUID()), 0, T0, metaData);
        projection.on(new TaskBlocked(taskId, "legal"), 3, T0.plusSeconds(3), metaData);

        projection.on(new TaskStarted(taskId), 2, T0.plusSeconds(2), metaData);

        assertThat(taskRow()).containsEntry("status", "blocked").containsEntry("version", 3L);
        assertThat(activityTypes()).containsExactly("created", "blocked");
    }

    @Test
    void aProjectionOverAnotherSchema_writesThereAndNotIntoTheReadModel() {
        owner.execute("CREATE SCHEMA " + scratch);
        for (String table : TABLES) {
            owner.execute("CREATE TABLE " + scratch + "." + table + " (LIKE read_model." + table + " INCLUDING ALL)");
        }
        TaskProjection projection = new TaskProjection(new ReadModelWriter(jdbc, scratch));
        UUID step = UuidV7.generate();

        projection.on(TaskEvents.created(taskId, tenant, UUID.randomUUID()), 0, T0, metaData);
        projection.on(new TaskStarted(taskId), 1, T0.plusSeconds(1), metaData);
        projection.on(new StepAdded(taskId, step, "draft"), 2, T0.plusSeconds(2), metaData);

        assertThat(owner.queryForMap("SELECT status, version FROM " + scratch + ".tasks WHERE id = ?", taskId))
                .containsEntry("status", "in_progress").containsEntry("version", 2L);
        assertThat(owner.queryForList("SELECT activity_type FROM " + scratch + ".task_activity WHERE task_id = ?"
                                      + " ORDER BY sequence_number", String.class, taskId))
                .containsExactly("created", "status_changed");
        assertThat(owner.queryForObject("SELECT count(*) FROM " + scratch + ".steps WHERE id = ?", Long.class, step))
                .isEqualTo(1L);
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE id = ?", Long.class, taskId))
                .isZero();
    }

    /**
     * The aggregate refuses a reused child id, but an event store may hold older ones: the second
     * insert fails (and the live processor parks the event) instead of silently keeping the first.
     * Run directly, because a stored event that cannot project would fail every later rebuild.
     */
    @Test
    void aChildIdReusedWithinOneTask_fails_insteadOfBeingSkipped() {
        TaskProjection projection = new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
        UUID step = UuidV7.generate();
        projection.on(TaskEvents.created(taskId, tenant, UUID.randomUUID()), 0, T0, metaData);
        projection.on(new StepAdded(taskId, step, "first"), 1, T0.plusSeconds(1), metaData);

        assertThatThrownBy(() -> projection.on(new StepAdded(taskId, step, "second"), 2, T0.plusSeconds(2), metaData))
                .isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void aStepEventForAStepOfAnotherTask_fails_insteadOfChangingNothing() {
        TaskProjection projection = new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
        UUID otherTask = UuidV7.generate();
        UUID step = UuidV7.generate();
        projection.on(TaskEvents.created(otherTask, tenant, UUID.randomUUID()), 0, T0, metaData);
        projection.on(new StepAdded(otherTask, step, "theirs"), 1, T0.plusSeconds(1), metaData);
        projection.on(TaskEvents.created(taskId, tenant, UUID.randomUUID()), 0, T0, metaData);

        assertThatThrownBy(() -> projection.on(new StepCompleted(taskId, step, "ours"), 1, T0.plusSeconds(2), metaData))
                .isInstanceOf(IllegalStateException.class);
        assertThat(owner.queryForMap("SELECT status, result FROM read_model.steps WHERE id = ?", step))
                .containsEntry("status", "pending").containsEntry("result", null);
    }

    @Test
    void activityIds_dependOnlyOnTheTaskAndTheEventVersion() {
        assertThat(TaskProjection.activityId(taskId, 4)).isEqualTo(TaskProjection.activityId(taskId, 4))
                                                        .isNotEqualTo(TaskProjection.activityId(taskId, 5));
    }

    /** The whole row as JSON text, so two reads compare column by column. */
    private Map<String, Object> taskRow() {
        return owner.queryForMap("SELECT status, version, to_jsonb(t)::text AS whole FROM read_model.tasks t"
                                 + " WHERE id = ?", taskId);
    }

    private List<String> activityTypes() {
        return owner.queryForList("SELECT activity_type FROM read_model.task_activity WHERE task_id = ?"
                                  + " ORDER BY sequence_number", String.class, taskId);
    }
}
