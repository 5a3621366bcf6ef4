package dev.verity.query.task.projection;

import dev.verity.events.common.MetadataKeys;
import dev.verity.events.task.TaskEvent;
import dev.verity.events.task.TaskEvent.ActionSubmitted;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepCompleted;
import dev.verity.events.task.TaskEvent.StepFailed;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskActionAdded;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskEvent.TaskDependencyResolved;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.events.task.TaskEvent.TaskTargetAdded;
import dev.verity.events.task.TaskEvent.TaskUnblocked;
import dev.verity.events.task.StepStatus;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.messaging.MetaData;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static dev.verity.query.platform.projection.SqlValues.json;
import static dev.verity.query.platform.projection.SqlValues.jsonObject;
import static dev.verity.query.platform.projection.SqlValues.time;
import static dev.verity.query.platform.projection.SqlValues.uuids;
import static dev.verity.query.platform.projection.SqlValues.wire;

/**
 * Rebuilds the tasks slice ({@code tasks}, {@code task_actions}, {@code task_targets},
 * {@code action_submissions}, {@code task_activity}, {@code steps}; seeds 001 and 004) from Task
 * events. The task row's {@code version} is the sequence number of the last event applied to
 * the task: every event first advances it and is applied only if that succeeds, so replays and
 * redeliveries change nothing (see {@link ReadModelWriter}).
 * <p>
 * Activity rows get ids derived from the task and the event's sequence number, so an activity is
 * the same row however often its event is applied and in whichever schema it is rebuilt.
 * <p>
 * Child rows (actions, targets, submissions, steps, activity) are keyed and addressed by tenant,
 * task and id: a child id chosen by one tenant's client can never reach another task's row.
 */
@ProcessingGroup(TaskProjection.PROCESSING_GROUP)
public class TaskProjection {

    public static final String PROCESSING_GROUP = "tasks";

    private static final String TASKS = "tasks";
    private static final String STEPS = "steps";

    private final ReadModelWriter writer;

    public TaskProjection(ReadModelWriter writer) {
        this.writer = writer;
    }

    @EventHandler
    public void on(TaskCreated e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        String status = wire(e.status() == null ? TaskStatus.PENDING : e.status());
        boolean created = writer.insert(TASKS, new MapSqlParameterSource()
                .addValue("id", e.taskId())
                .addValue("tenant_id", e.tenantId())
                .addValue("project_id", e.projectId())
                .addValue("parent_task_id", e.parentTaskId())
                .addValue("type", wire(e.type()))
                .addValue("title", e.title())
                .addValue("description", e.description())
                .addValue("status", status)
                .addValue("priority", wire(e.priority() == null ? TaskPriority.MEDIUM : e.priority()))
                .addValue("assignee_type", wire(e.assigneeType()))
                .addValue("assignee_id", e.assigneeId())
                .addValue("due_date", time(e.dueDate()))
                .addValue("component_key", e.componentKey())
                .addValue("dependencies", uuids(e.dependencies()))
                .addValue("blocked_by", uuids(e.blockedBy()))
                .addValue("metadata", jsonObject(e.metadata()))
                .addValue("created_by", e.createdBy())
                .addValue("created_at", time(at))
                .addValue("updated_at", time(at))
                .addValue("version", version));
        if (created) {
            activity(e.tenantId(), e, version, at, metaData, "created",
                     details("title", e.title(), "status", status));
        }
    }

    @EventHandler
    public void on(TaskAssigned e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            writer.update(TASKS, task(tenant, e.taskId()), new MapSqlParameterSource()
                    .addValue("assignee_type", wire(e.assigneeType()))
                    .addValue("assignee_id", e.assigneeId()));
            activity(tenant, e, version, at, metaData, "assigned",
                     details("assigneeType", wire(e.assigneeType()), "assigneeId", e.assigneeId()));
        });
    }

    @EventHandler
    public void on(TaskStarted e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            String from = writer.value(TASKS, task(tenant, e.taskId()), "status", String.class);
            String to = TaskStatus.IN_PROGRESS.wire();
            writer.update(TASKS, task(tenant, e.taskId()), new MapSqlParameterSource("status", to));
            activity(tenant, e, version, at, metaData, "status_changed", details("from", from, "to", to));
        });
    }

    @EventHandler
    public void on(TaskBlocked e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            writer.update(TASKS, task(tenant, e.taskId()), new MapSqlParameterSource()
                    .addValue("status", TaskStatus.BLOCKED.wire())
                    .addValue("block_reason", e.reason()));
            activity(tenant, e, version, at, metaData, "blocked", details("reason", e.reason()));
        });
    }

    @EventHandler
    public void on(TaskUnblocked e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            writer.update(TASKS, task(tenant, e.taskId()), new MapSqlParameterSource()
                    .addValue("status", wire(e.status()))
                    .addValue("block_reason", null));
            activity(tenant, e, version, at, metaData, "unblocked", details("status", wire(e.status())));
        });
    }

    /** Only the dependency that releases the task is an "unblocked" activity; the others just shrink blocked_by. */
    @EventHandler
    public void on(TaskDependencyResolved e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            writer.update(TASKS, task(tenant, e.taskId()), new MapSqlParameterSource()
                    .addValue("status", wire(e.status()))
                    .addValue("blocked_by", uuids(e.blockedBy())));
            if (e.status() != TaskStatus.BLOCKED) {
                activity(tenant, e, version, at, metaData, "unblocked", details("dependencyId", e.dependencyId()));
            }
        });
    }

    @EventHandler
    public void on(TaskCompleted e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            writer.update(TASKS, task(tenant, e.taskId()), new MapSqlParameterSource()
                    .addValue("status", TaskStatus.COMPLETED.wire())
                    .addValue("completed_at", time(at))
                    .addValue("completed_by", e.completedBy())
                    .addValue("completion_notes", e.notes()));
            activity(tenant, e, version, at, metaData, "completed", details("notes", e.notes()));
        });
    }

    @EventHandler
    public void on(TaskActionAdded e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant ->
                writer.insertChild("task_actions", new MapSqlParameterSource()
                        .addValue("id", e.actionId())
                        .addValue("tenant_id", tenant)
                        .addValue("task_id", e.taskId())
                        .addValue("type", wire(e.type()))
                        .addValue("label", e.label())
                        .addValue("description", e.description())
                        .addValue("config", jsonObject(e.config()))
                        .addValue("display_order", e.displayOrder())
                        .addValue("sequence_number", version)
                        .addValue("created_at", time(at))));
    }

    @EventHandler
    public void on(ActionSubmitted e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant -> {
            writer.insertChild("action_submissions", new MapSqlParameterSource()
                    .addValue("id", e.submissionId())
                    .addValue("tenant_id", tenant)
                    .addValue("task_id", e.taskId())
                    .addValue("action_id", e.actionId())
                    .addValue("idempotency_key", e.idempotencyKey())
                    .addValue("submitted_by", e.submittedBy())
                    .addValue("submitted_at", time(at))
                    .addValue("data", jsonObject(e.data()))
                    .addValue("sequence_number", version)
                    .addValue("created_at", time(at)));
            activity(tenant, e, version, at, metaData, "action_submitted",
                     details("actionId", e.actionId(), "submissionId", e.submissionId()));
        });
    }

    @EventHandler
    public void on(TaskTargetAdded e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant ->
                writer.insertChild("task_targets", new MapSqlParameterSource()
                        .addValue("id", e.targetRowId())
                        .addValue("tenant_id", tenant)
                        .addValue("task_id", e.taskId())
                        .addValue("target_type", wire(e.targetType()))
                        .addValue("target_id", e.targetId())
                        .addValue("metadata", jsonObject(e.metadata()))
                        .addValue("sequence_number", version)
                        .addValue("created_at", time(at))));
    }

    @EventHandler
    public void on(StepAdded e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant ->
                writer.insertChild(STEPS, new MapSqlParameterSource()
                        .addValue("id", e.stepId())
                        .addValue("tenant_id", tenant)
                        .addValue("task_id", e.taskId())
                        .addValue("action", e.action())
                        .addValue("status", StepStatus.PENDING.wire())
                        .addValue("sequence_number", version)
                        .addValue("created_at", time(at))
                        .addValue("updated_at", time(at))));
    }

    @EventHandler
    public void on(StepStarted e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant ->
                writer.update(STEPS, child(tenant, e.taskId(), e.stepId()), new MapSqlParameterSource()
                        .addValue("status", StepStatus.EXECUTING.wire())
                        .addValue("retry_count", e.retryCount())
                        .addValue("updated_at", time(at))));
    }

    @EventHandler
    public void on(StepCompleted e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant ->
                writer.update(STEPS, child(tenant, e.taskId(), e.stepId()), new MapSqlParameterSource()
                        .addValue("status", StepStatus.COMPLETED.wire())
                        .addValue("result", e.result())
                        .addValue("updated_at", time(at))));
    }

    @EventHandler
    public void on(StepFailed e, @SequenceNumber long version, @Timestamp Instant at, MetaData metaData) {
        writer.advance(TASKS, e.taskId(), version, at).ifPresent(tenant ->
                writer.update(STEPS, child(tenant, e.taskId(), e.stepId()), new MapSqlParameterSource()
                        .addValue("status", StepStatus.FAILED.wire())
                        .addValue("error", e.error())
                        .addValue("updated_at", time(at))));
    }

    private void activity(UUID tenant, TaskEvent e, long version, Instant at, MetaData metaData,
                          String activityType, Map<String, Object> details) {
        writer.insertChild("task_activity", new MapSqlParameterSource()
                .addValue("id", activityId(e.taskId(), version))
                .addValue("tenant_id", tenant)
                .addValue("task_id", e.taskId())
                .addValue("activity_type", activityType)
                .addValue("actor_type", metaValue(metaData, MetadataKeys.ACTOR_TYPE))
                .addValue("actor_id", metaValue(metaData, MetadataKeys.ACTOR_ID))
                .addValue("details", json(details))
                .addValue("sequence_number", version)
                .addValue("created_at", time(at)));
    }

    private static MapSqlParameterSource task(UUID tenant, UUID taskId) {
        return new MapSqlParameterSource("tenant_id", tenant).addValue("id", taskId);
    }

    /** A child row is one task's: its id alone may be another task's child too. */
    private static MapSqlParameterSource child(UUID tenant, UUID taskId, UUID id) {
        return new MapSqlParameterSource("tenant_id", tenant).addValue("task_id", taskId).addValue("id", id);
    }

    static UUID activityId(UUID taskId, long version) {
        return UUID.nameUUIDFromBytes(("task-activity:" + taskId + ":" + version).getBytes(StandardCharsets.UTF_8));
    }

    private static String metaValue(MetaData metaData, String key) {
        Object value = metaData == null ? null : metaData.get(key);
        return value == null ? null : value.toString();
    }

    /** Details keep their keys in order and may hold nulls (a completion without notes). */
    private static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }
}
