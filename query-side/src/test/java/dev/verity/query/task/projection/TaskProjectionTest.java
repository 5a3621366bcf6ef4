package dev.verity.query.task.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskEvent.ActionSubmitted;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepCompleted;
import dev.verity.events.task.TaskEvent.StepFailed;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskActionAdded;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskDependencyResolved;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.events.task.TaskEvent.TaskTargetAdded;
import dev.verity.events.task.TaskEvent.TaskUnblocked;
import dev.verity.events.task.TaskStatus;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The live `tasks` processor: events appended to the real event store, rows read back from PostgreSQL. */
class TaskProjectionTest extends QuerySideTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();

    @Autowired
    private JsonMapper json;

    @Test
    void taskCreated_insertsTheTaskAtItsVersion_withACreatedActivity() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project));
        awaitTaskVersion(taskId, 0);

        Map<String, Object> task = owner.queryForMap("""
                SELECT tenant_id, project_id, parent_task_id, type, title, description, status, priority,
                       assignee_type, assignee_id, due_date, component_key, cardinality(dependencies) AS dependencies,
                       cardinality(blocked_by) AS blocked_by, metadata::text AS metadata, created_by,
                       created_at = updated_at AS untouched, version
                  FROM read_model.tasks WHERE id = ?""", taskId);
        assertThat(task).containsEntry("tenant_id", tenant)
                        .containsEntry("project_id", project)
                        .containsEntry("parent_task_id", null)
                        .containsEntry("type", "REVIEW")
                        .containsEntry("title", "Review the spec")
                        .containsEntry("description", "Read it all")
                        .containsEntry("status", "pending")
                        .containsEntry("priority", "high")
                        .containsEntry("assignee_type", "agent")
                        .containsEntry("assignee_id", "agent-7")
                        .containsEntry("due_date", Timestamp.from(TaskEvents.DUE))
                        .containsEntry("component_key", "spec-review")
                        .containsEntry("dependencies", 0)
                        .containsEntry("blocked_by", 0)
                        .containsEntry("created_by", EventStreams.ACTOR_ID)
                        .containsEntry("untouched", true)
                        .containsEntry("version", 0L);
        assertThat(json(task.get("metadata"))).isEqualTo(Map.of("source", "test", "round", 1));
        assertThat(activity()).containsExactly(
                tuple(0L, "created", "user", EventStreams.ACTOR_ID, Map.of("title", "Review the spec", "status", "pending")));
    }

    @Test
    void lifecycleEvents_moveStatusAndFields_andRecordActivityInOrder() {
        eventStreams.append(tenant,
                            TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"),
                            new TaskStarted(taskId),
                            new TaskBlocked(taskId, "waiting for legal"),
                            new TaskUnblocked(taskId, TaskStatus.IN_PROGRESS),
                            new TaskCompleted(taskId, "all good", "bob"));
        awaitTaskVersion(taskId, 5);

        Map<String, Object> task = owner.queryForMap("""
                SELECT status, assignee_type, assignee_id, block_reason, completed_by, completion_notes,
                       completed_at = updated_at AS completed_at_event_time, version
                  FROM read_model.tasks WHERE id = ?""", taskId);
        assertThat(task).containsEntry("status", "completed")
                        .containsEntry("assignee_type", "user")
                        .containsEntry("assignee_id", "bob")
                        .containsEntry("block_reason", null)
                        .containsEntry("completed_by", "bob")
                        .containsEntry("completion_notes", "all good")
                        .containsEntry("completed_at_event_time", true)
                        .containsEntry("version", 5L);
        assertThat(activity()).containsExactly(
                tuple(0L, "created", "user", "alice", Map.of("title", "Review the spec", "status", "pending")),
                tuple(1L, "assigned", "user", "alice", Map.of("assigneeType", "user", "assigneeId", "bob")),
                tuple(2L, "status_changed", "user", "alice", Map.of("from", "pending", "to", "in_progress")),
                tuple(3L, "blocked", "user", "alice", Map.of("reason", "waiting for legal")),
                tuple(4L, "unblocked", "user", "alice", Map.of("status", "in_progress")),
                tuple(5L, "completed", "user", "alice", Map.of("notes", "all good")));
    }

    @Test
    void taskBlocked_keepsTheReason_untilUnblocked() {
        eventStreams.append(tenant,
                            TaskEvents.created(taskId, tenant, project),
                            new TaskBlocked(taskId, "waiting for legal"));
        awaitTaskVersion(taskId, 1);

        assertThat(owner.queryForMap("SELECT status, block_reason FROM read_model.tasks WHERE id = ?", taskId))
                .containsEntry("status", "blocked")
                .containsEntry("block_reason", "waiting for legal");
    }

    @Test
    void dependencyResolved_shrinksBlockedBy_andOnlyTheLastOneUnblocks() {
        UUID first = UuidV7.generate();
        UUID second = UuidV7.generate();
        eventStreams.append(tenant,
                            TaskEvents.blockedBy(taskId, tenant, project, List.of(first, second)),
                            new TaskDependencyResolved(taskId, first, List.of(second), TaskStatus.BLOCKED));
        awaitTaskVersion(taskId, 1);
        assertThat(blockedBy()).containsExactly(second);
        assertThat(status()).isEqualTo("blocked");

        eventStreams.append(tenant, new TaskDependencyResolved(taskId, second, List.of(), TaskStatus.PENDING));
        awaitTaskVersion(taskId, 2);

        assertThat(blockedBy()).isEmpty();
        assertThat(status()).isEqualTo("pending");
        assertThat(owner.queryForList("SELECT unnest(dependencies) FROM read_model.tasks WHERE id = ?", UUID.class, taskId))
                .containsExactly(first, second);
        assertThat(activity()).extracting(row -> row.toList().get(1), row -> row.toList().get(4)).containsExactly(
                tuple("created", Map.of("title", "Provide the data", "status", "blocked")),
                tuple("unblocked", Map.of("dependencyId", second.toString())));
    }

    @Test
    void actionsSubmissionsAndTargets_areInsertedUnderTheTasksTenant() {
        UUID approve = UuidV7.generate();
        UUID form = UuidV7.generate();
        UUID submission = UuidV7.generate();
        UUID targetRow = UuidV7.generate();
        UUID section = UUID.randomUUID();
        eventStreams.append(tenant,
                            TaskEvents.created(taskId, tenant, project),
                            new TaskActionAdded(taskId, approve, ActionType.APPROVE_REJECT, "Approve", "Say yes or no",
                                                Map.of("approveLabel", "Yes", "rejectLabel", "No"), 2),
                            new TaskActionAdded(taskId, form, ActionType.FORM_SUBMIT, "Fill in", null, null, 1),
                            new ActionSubmitted(taskId, approve, submission, "key-1", Map.of("approved", true), "bob"),
                            new TaskTargetAdded(taskId, targetRow, TargetType.SPEC_SECTION, section,
                                                Map.of("anchor", "s-3")));
        awaitTaskVersion(taskId, 4);

        assertThat(owner.queryForList("""
                SELECT id, tenant_id, type, label, description, config::text AS config, display_order
                  FROM read_model.task_actions WHERE task_id = ? ORDER BY display_order""", taskId))
                .extracting(row -> row.get("id"), row -> row.get("tenant_id"), row -> row.get("type"),
                            row -> row.get("label"), row -> json(row.get("config")), row -> row.get("display_order"))
                .containsExactly(tuple(form, tenant, "FORM_SUBMIT", "Fill in", Map.of(), 1),
                                 tuple(approve, tenant, "APPROVE_REJECT", "Approve",
                                       Map.of("approveLabel", "Yes", "rejectLabel", "No"), 2));
        Map<String, Object> submitted = owner.queryForMap("""
                SELECT id, tenant_id, action_id, idempotency_key, submitted_by, data::text AS data, result,
                       bindings_executed, submitted_at = created_at AS same_time
                  FROM read_model.action_submissions WHERE task_id = ?""", taskId);
        assertThat(submitted).containsEntry("id", submission)
                             .containsEntry("tenant_id", tenant)
                             .containsEntry("action_id", approve)
                             .containsEntry("idempotency_key", "key-1")
                             .containsEntry("submitted_by", "bob")
                             .containsEntry("result", null)
                             .containsEntry("bindings_executed", null)
                             .containsEntry("same_time", true);
        assertThat(json(submitted.get("data"))).isEqualTo(Map.of("approved", true));
        Map<String, Object> target = owner.queryForMap("""
                SELECT id, tenant_id, target_type, target_id, metadata::text AS metadata
                  FROM read_model.task_targets WHERE task_id = ?""", taskId);
        assertThat(target).containsEntry("id", targetRow)
                          .containsEntry("tenant_id", tenant)
                          .containsEntry("target_type", "spec_section")
                          .containsEntry("target_id", section);
        assertThat(json(target.get("metadata"))).isEqualTo(Map.of("anchor", "s-3"));
        assertThat(activity()).extracting(row -> row.toList().get(0), row -> row.toList().get(1),
                                          row -> row.toList().get(4))
                              .containsExactly(tuple(0L, "created", Map.of("title", "Review the spec", "status", "pending")),
                                               tuple(3L, "action_submitted", Map.of("actionId", approve.toString(),
                                                                                    "submissionId", submission.toString())));
    }

    @Test
    void stepEvents_moveEachStepThroughItsStatuses() {
        UUID retried = UuidV7.generate();
        UUID failed = UuidV7.generate();
        eventStreams.append(tenant,
                            TaskEvents.created(taskId, tenant, project),
                            new StepAdded(taskId, retried, "fetch the spec"),
                            new StepStarted(taskId, retried, 0),
                            new StepFailed(taskId, retried, "timeout"),
                            new StepStarted(taskId, retried, 1),
                            new StepCompleted(taskId, retried, "fetched"),
                            new StepAdded(taskId, failed, "parse the spec"),
                            new StepStarted(taskId, failed, 0),
                            new StepFailed(taskId, failed, "bad format"));
        awaitTaskVersion(taskId, 8);

        assertThat(owner.queryForList("""
                SELECT s.id, s.tenant_id, s.action, s.status, s.result, s.error, s.retry_count, s.metadata::text AS metadata,
                       s.updated_at > s.created_at AS touched
                  FROM read_model.steps s WHERE s.task_id = ? ORDER BY s.created_at""", taskId))
                .extracting(row -> row.get("id"), row -> row.get("tenant_id"), row -> row.get("action"),
                            row -> row.get("status"), row -> row.get("result"), row -> row.get("error"),
                            row -> row.get("retry_count"), row -> json(row.get("metadata")), row -> row.get("touched"))
                .containsExactly(tuple(retried, tenant, "fetch the spec", "completed", "fetched", "timeout", 1, Map.of(), true),
                                 tuple(failed, tenant, "parse the spec", "failed", null, "bad format", 0, Map.of(), true));
        assertThat(owner.queryForObject("""
                SELECT t.updated_at = s.updated_at FROM read_model.tasks t JOIN read_model.steps s ON s.task_id = t.id
                 WHERE s.id = ?""", Boolean.class, failed)).isTrue();
    }

    @Test
    void aStepIdOfAnotherTenant_becomesItsOwnStep_andTheFirstTenantsStepIsUntouched() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherTask = UuidV7.generate();
        UUID step = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project), new StepAdded(taskId, step, "ours"),
                            new StepStarted(taskId, step, 0), new StepFailed(taskId, step, "our private error"));
        awaitTaskVersion(taskId, 3);

        eventStreams.append(otherTenant, TaskEvents.created(otherTask, otherTenant, project),
                            new StepAdded(otherTask, step, "theirs"), new StepStarted(otherTask, step, 0),
                            new StepCompleted(otherTask, step, "their result"));
        awaitTaskVersion(otherTask, 3);

        assertThat(owner.queryForList("SELECT tenant_id, task_id, action, status, result, error FROM read_model.steps"
                                      + " WHERE id = ?", step))
                .extracting(row -> row.get("tenant_id"), row -> row.get("task_id"), row -> row.get("action"),
                            row -> row.get("status"), row -> row.get("result"), row -> row.get("error"))
                .containsExactlyInAnyOrder(tuple(tenant, taskId, "ours", "failed", null, "our private error"),
                                           tuple(otherTenant, otherTask, "theirs", "completed", "their result", null));
    }

    @Test
    void anActionIdOfAnotherTenant_addsItsOwnRow_withItsSubmission() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherTask = UuidV7.generate();
        UUID action = UuidV7.generate();
        UUID target = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskActionAdded(taskId, action, ActionType.TEXT_INPUT, "Ours", null, null, 0),
                            new TaskTargetAdded(taskId, target, TargetType.SPEC_SECTION, UUID.randomUUID(), null));
        eventStreams.append(otherTenant, TaskEvents.created(otherTask, otherTenant, project),
                            new TaskActionAdded(otherTask, action, ActionType.TEXT_INPUT, "Theirs", null, null, 0),
                            new TaskTargetAdded(otherTask, target, TargetType.SPEC_SECTION, UUID.randomUUID(), null),
                            new ActionSubmitted(otherTask, action, UuidV7.generate(), "key-1", Map.of("text", "x"),
                                                "bob"));
        awaitTaskVersion(taskId, 2);
        awaitTaskVersion(otherTask, 3);

        assertThat(owner.queryForList("SELECT tenant_id, task_id, label FROM read_model.task_actions WHERE id = ?",
                                      action))
                .extracting(row -> row.get("tenant_id"), row -> row.get("task_id"), row -> row.get("label"))
                .containsExactlyInAnyOrder(tuple(tenant, taskId, "Ours"), tuple(otherTenant, otherTask, "Theirs"));
        assertThat(owner.queryForList("SELECT task_id FROM read_model.task_targets WHERE id = ?", UUID.class, target))
                .containsExactlyInAnyOrder(taskId, otherTask);
        assertThat(owner.queryForList("SELECT task_id FROM read_model.action_submissions WHERE action_id = ?",
                                      UUID.class, action)).containsExactly(otherTask);
    }

    private String status() {
        return owner.queryForObject("SELECT status FROM read_model.tasks WHERE id = ?", String.class, taskId);
    }

    private List<UUID> blockedBy() {
        return owner.queryForList("SELECT unnest(blocked_by) FROM read_model.tasks WHERE id = ?", UUID.class, taskId);
    }

    /** (sequence_number, activity_type, actor_type, actor_id, details) in order. */
    private List<Tuple> activity() {
        return owner.query("""
                        SELECT sequence_number, activity_type, actor_type, actor_id, details::text AS details
                          FROM read_model.task_activity WHERE task_id = ? ORDER BY sequence_number""",
                           (rs, n) -> tuple(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                            json(rs.getString(5))),
                           taskId);
    }

    private Object json(Object text) {
        return text == null ? null : json.readValue((String) text, Map.class);
    }
}
