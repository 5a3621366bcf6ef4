package dev.verity.command.task;

import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskType;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every command on a task names its tenant (a task of another tenant is treated as unknown)
 * and may carry the version the caller last saw ({@code If-Match}); null means "whatever it is now".
 */
sealed interface TaskCommand {

    UUID taskId();

    UUID tenantId();

    Long expectedVersion();

    record CreateTask(@TargetAggregateIdentifier UUID taskId, UUID tenantId, UUID projectId, TaskType type,
                      String title, String description, TaskPriority priority, AssigneeType assigneeType,
                      String assigneeId, Instant dueDate, String componentKey, UUID parentTaskId,
                      List<UUID> dependencies, Map<String, Object> metadata, String createdBy) implements TaskCommand {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record AssignTask(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion,
                      AssigneeType assigneeType, String assigneeId) implements TaskCommand {
    }

    record StartTask(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion) implements TaskCommand {
    }

    record BlockTask(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, String reason)
            implements TaskCommand {
    }

    record UnblockTask(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion)
            implements TaskCommand {
    }

    record CompleteTask(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, String notes,
                        String completedBy) implements TaskCommand {
    }

    /** Sent by {@link DependencyManager} when a task this one waits for has completed. */
    record ResolveDependency(@TargetAggregateIdentifier UUID taskId, UUID tenantId, UUID dependencyId)
            implements TaskCommand {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record AddAction(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID actionId,
                     ActionType type, String label, String description, Map<String, Object> config,
                     int displayOrder) implements TaskCommand {
    }

    record SubmitAction(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID actionId,
                        UUID submissionId, String idempotencyKey, Map<String, Object> data, String submittedBy)
            implements TaskCommand {
    }

    record AddTarget(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID targetRowId,
                     TargetType targetType, UUID targetId, Map<String, Object> metadata) implements TaskCommand {
    }

    record AddStep(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID stepId,
                   String action) implements TaskCommand {
    }

    record StartStep(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID stepId)
            implements TaskCommand {
    }

    record CompleteStep(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID stepId,
                        String result) implements TaskCommand {
    }

    record FailStep(@TargetAggregateIdentifier UUID taskId, UUID tenantId, Long expectedVersion, UUID stepId,
                    String error) implements TaskCommand {
    }
}
