package dev.verity.query;

import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import dev.verity.events.task.TaskType;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Task events with sensible defaults, so each test spells out only what it is about. */
public final class TaskEvents {

    public static final Instant DUE = Instant.parse("2030-01-31T17:00:00Z");

    private TaskEvents() {
    }

    public static TaskCreated created(UUID taskId, UUID tenantId, UUID projectId) {
        return new TaskCreated(taskId, tenantId, projectId, TaskType.REVIEW, "Review the spec", "Read it all",
                               TaskPriority.HIGH, AssigneeType.AGENT, "agent-7", DUE, "spec-review", null,
                               List.of(), List.of(), Map.of("source", "test", "round", 1), EventStreams.ACTOR_ID,
                               TaskStatus.PENDING);
    }

    public static TaskCreated blockedBy(UUID taskId, UUID tenantId, UUID projectId, List<UUID> dependencies) {
        return new TaskCreated(taskId, tenantId, projectId, TaskType.PROVIDE, "Provide the data", null,
                               TaskPriority.MEDIUM, null, null, null, null, null, dependencies, dependencies,
                               Map.of(), EventStreams.ACTOR_ID, TaskStatus.BLOCKED);
    }

    public static TaskCreated withFields(UUID taskId, UUID tenantId, UUID projectId, TaskType type, String assigneeId,
                                         UUID parentTaskId) {
        return new TaskCreated(taskId, tenantId, projectId, type, "Task " + taskId, null, TaskPriority.LOW,
                               assigneeId == null ? null : AssigneeType.USER, assigneeId, null, null, parentTaskId,
                               List.of(), List.of(), Map.of(), EventStreams.ACTOR_ID, TaskStatus.PENDING);
    }
}
