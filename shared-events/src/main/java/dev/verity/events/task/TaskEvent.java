package dev.verity.events.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything that can happen to a task, in the past tense. Stored as JSON in the event store
 * and never rewritten: add fields with defaults or new event types, never change these.
 * Events carry decisions already made (the resulting status, the new retry count) so that
 * projections and event sourcing handlers only assign.
 */
public sealed interface TaskEvent {

    UUID taskId();

    record TaskCreated(UUID taskId,
                       UUID tenantId,
                       UUID projectId,
                       TaskType type,
                       String title,
                       String description,
                       TaskPriority priority,
                       AssigneeType assigneeType,
                       String assigneeId,
                       Instant dueDate,
                       String componentKey,
                       UUID parentTaskId,
                       List<UUID> dependencies,
                       List<UUID> blockedBy,
                       Map<String, Object> metadata,
                       String createdBy,
                       TaskStatus status) implements TaskEvent {
    }

    record TaskAssigned(UUID taskId, AssigneeType assigneeType, String assigneeId) implements TaskEvent {
    }

    record TaskStarted(UUID taskId) implements TaskEvent {
    }

    record TaskBlocked(UUID taskId, String reason) implements TaskEvent {
    }

    /** A manual block was lifted; {@code status} is where the task went (it may still wait on dependencies). */
    record TaskUnblocked(UUID taskId, TaskStatus status) implements TaskEvent {
    }

    /** A dependency completed; {@code status} is the task's status after it. */
    record TaskDependencyResolved(UUID taskId, UUID dependencyId, List<UUID> blockedBy, TaskStatus status)
            implements TaskEvent {
    }

    record TaskCompleted(UUID taskId, String notes, String completedBy) implements TaskEvent {
    }

    record TaskActionAdded(UUID taskId,
                           UUID actionId,
                           ActionType type,
                           String label,
                           String description,
                           Map<String, Object> config,
                           int displayOrder) implements TaskEvent {
    }

    record ActionSubmitted(UUID taskId,
                           UUID actionId,
                           UUID submissionId,
                           String idempotencyKey,
                           Map<String, Object> data,
                           String submittedBy) implements TaskEvent {
    }

    record TaskTargetAdded(UUID taskId,
                           UUID targetRowId,
                           TargetType targetType,
                           UUID targetId,
                           Map<String, Object> metadata) implements TaskEvent {
    }

    record StepAdded(UUID taskId, UUID stepId, String action) implements TaskEvent {
    }

    /** {@code retryCount} is already incremented when a failed step is started again. */
    record StepStarted(UUID taskId, UUID stepId, int retryCount) implements TaskEvent {
    }

    record StepCompleted(UUID taskId, UUID stepId, String result) implements TaskEvent {
    }

    record StepFailed(UUID taskId, UUID stepId, String error) implements TaskEvent {
    }
}
