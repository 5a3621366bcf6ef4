package dev.verity.command.task;

import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.ExistingRecord;
import dev.verity.command.task.TaskCommand.AddAction;
import dev.verity.command.task.TaskCommand.AddStep;
import dev.verity.command.task.TaskCommand.AddTarget;
import dev.verity.command.task.TaskCommand.AssignTask;
import dev.verity.command.task.TaskCommand.BlockTask;
import dev.verity.command.task.TaskCommand.CompleteStep;
import dev.verity.command.task.TaskCommand.CompleteTask;
import dev.verity.command.task.TaskCommand.CreateTask;
import dev.verity.command.task.TaskCommand.FailStep;
import dev.verity.command.task.TaskCommand.ResolveDependency;
import dev.verity.command.task.TaskCommand.StartStep;
import dev.verity.command.task.TaskCommand.StartTask;
import dev.verity.command.task.TaskCommand.SubmitAction;
import dev.verity.command.task.TaskCommand.UnblockTask;
import dev.verity.events.task.StepStatus;
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
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CommandHandlerInterceptor;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import static dev.verity.command.platform.ExistingRecord.currentVersion;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * A unit of work for a user or an agent (seed 001 {@code tasks}, with 004's steps). Handlers
 * check, then apply; event sourcing handlers only assign. A task is blocked while it waits for
 * dependencies or while someone blocked it by hand; it leaves {@code blocked} only when both
 * are over. Kept in memory between commands ({@link TaskCacheConfiguration}).
 */
@Aggregate(cache = TaskCacheConfiguration.TASK_CACHE)
class Task {

    @AggregateIdentifier
    private UUID taskId;
    private UUID tenantId;
    private TaskStatus status;
    private boolean started;
    private boolean manuallyBlocked;
    private List<UUID> blockedBy;
    private Set<UUID> actionIds;
    private Set<UUID> targetIds;
    private Set<UUID> submissionIds;
    private Map<String, ActionSubmitted> submissionsByKey;
    private Map<UUID, StepState> steps;

    private record StepState(StepStatus status, int retryCount) {
    }

    Task() {
        // Axon rebuilds the aggregate from its events.
    }

    /** Tenant and If-Match checks for every command on an existing task, in one place. */
    @CommandHandlerInterceptor
    Object guard(CommandMessage<?> message, InterceptorChain chain) throws Exception {
        if (taskId != null && message.getPayload() instanceof TaskCommand command) {
            ExistingRecord.admit(tenantId, command.tenantId(), command.expectedVersion());
        }
        return chain.proceed();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    CommandResult handle(CreateTask command, TaskLookup lookup) {
        requireText("title", command.title(), 255);
        Objects.requireNonNull(command.projectId(), "projectId is required");
        Objects.requireNonNull(command.type(), "type is required");
        if (command.parentTaskId() != null) {
            boolean known = !command.parentTaskId().equals(command.taskId())
                    && lookup.find(command.tenantId(), command.parentTaskId()).isPresent();
            if (!known) {
                throw DomainException.badRequest("unknown_parent_task",
                                                 "parentTaskId " + command.parentTaskId() + " is not a task of this tenant");
            }
        }
        List<UUID> dependencies = List.copyOf(new LinkedHashSet<>(orEmpty(command.dependencies())));
        List<UUID> blockedBy = new ArrayList<>();
        for (UUID dependency : dependencies) {
            TaskLookup.Entry entry = dependency.equals(command.taskId()) ? null
                    : lookup.find(command.tenantId(), dependency).orElse(null);
            if (entry == null) {
                throw DomainException.badRequest("unknown_dependency",
                                                 "dependency " + dependency + " is not a task of this tenant");
            }
            if (!entry.completed()) {
                blockedBy.add(dependency);
            }
        }
        apply(new TaskCreated(command.taskId(), command.tenantId(), command.projectId(), command.type(),
                              command.title(), command.description(),
                              command.priority() == null ? TaskPriority.MEDIUM : command.priority(),
                              command.assigneeType(), command.assigneeId(), command.dueDate(), command.componentKey(),
                              command.parentTaskId(), dependencies, List.copyOf(blockedBy),
                              command.metadata() == null ? Map.of() : command.metadata(), command.createdBy(),
                              blockedBy.isEmpty() ? TaskStatus.PENDING : TaskStatus.BLOCKED));
        return result(command.taskId(), true);
    }

    @CommandHandler
    CommandResult handle(AssignTask command) {
        requireNotCompleted();
        Objects.requireNonNull(command.assigneeType(), "assigneeType is required");
        requireText("assigneeId", command.assigneeId(), 255);
        apply(new TaskAssigned(taskId, command.assigneeType(), command.assigneeId()));
        return result(taskId, true);
    }

    @CommandHandler
    CommandResult handle(StartTask command) {
        requireStatus("start", TaskStatus.PENDING);
        apply(new TaskStarted(taskId));
        return result(taskId, true);
    }

    @CommandHandler
    CommandResult handle(BlockTask command) {
        requireText("reason", command.reason(), 2000);
        if (manuallyBlocked) {
            throw invalidTransition("block", "it is already blocked");
        }
        requireNotCompleted();
        apply(new TaskBlocked(taskId, command.reason()));
        return result(taskId, true);
    }

    @CommandHandler
    CommandResult handle(UnblockTask command) {
        if (!manuallyBlocked) {
            throw invalidTransition("unblock", blockedBy.isEmpty() ? "it is not blocked"
                    : "it waits for dependencies " + blockedBy + ", which unblock it when they complete");
        }
        apply(new TaskUnblocked(taskId, statusWhenUnblocked(false, blockedBy)));
        return result(taskId, true);
    }

    @CommandHandler
    CommandResult handle(ResolveDependency command) {
        if (!blockedBy.contains(command.dependencyId())) {
            return result(taskId, false);
        }
        List<UUID> remaining = new ArrayList<>(blockedBy);
        remaining.remove(command.dependencyId());
        apply(new TaskDependencyResolved(taskId, command.dependencyId(), List.copyOf(remaining),
                                         statusWhenUnblocked(manuallyBlocked, remaining)));
        return result(taskId, true);
    }

    @CommandHandler
    CommandResult handle(CompleteTask command) {
        if (status != TaskStatus.PENDING && status != TaskStatus.IN_PROGRESS) {
            throw invalidTransition("complete", "it is " + status.wire());
        }
        apply(new TaskCompleted(taskId, command.notes(), command.completedBy()));
        return result(taskId, true);
    }

    @CommandHandler
    CommandResult handle(AddAction command) {
        requireNotCompleted();
        Objects.requireNonNull(command.type(), "type is required");
        requireText("label", command.label(), 255);
        requireNewChild("action", actionIds, command.actionId());
        apply(new TaskActionAdded(taskId, command.actionId(), command.type(), command.label(), command.description(),
                                  command.config() == null ? Map.of() : command.config(), command.displayOrder()));
        return result(command.actionId(), true);
    }

    /**
     * Exactly one effect per idempotency key: a retry with the same key and data answers the
     * first submission again without a new event; the same key with other data is a conflict.
     */
    @CommandHandler
    CommandResult handle(SubmitAction command) {
        requireText("idempotencyKey", command.idempotencyKey(), 255);
        Objects.requireNonNull(command.data(), "data is required");
        ActionSubmitted earlier = submissionsByKey.get(command.idempotencyKey());
        if (earlier != null) {
            if (earlier.actionId().equals(command.actionId()) && earlier.data().equals(command.data())) {
                return result(earlier.submissionId(), false);
            }
            throw DomainException.conflict("idempotency_conflict",
                                           "Idempotency-Key " + command.idempotencyKey() + " was already used with other data");
        }
        if (!actionIds.contains(command.actionId())) {
            throw DomainException.notFound("action_not_found", "task " + taskId + " has no action " + command.actionId());
        }
        requireNotCompleted();
        requireNewChild("submission", submissionIds, command.submissionId());
        apply(new ActionSubmitted(taskId, command.actionId(), command.submissionId(), command.idempotencyKey(),
                                  command.data(), command.submittedBy()));
        return result(command.submissionId(), true);
    }

    @CommandHandler
    CommandResult handle(AddTarget command) {
        requireNotCompleted();
        Objects.requireNonNull(command.targetType(), "targetType is required");
        Objects.requireNonNull(command.targetId(), "targetId is required");
        requireNewChild("target", targetIds, command.targetRowId());
        apply(new TaskTargetAdded(taskId, command.targetRowId(), command.targetType(), command.targetId(),
                                  command.metadata() == null ? Map.of() : command.metadata()));
        return result(command.targetRowId(), true);
    }

    @CommandHandler
    CommandResult handle(AddStep command) {
        requireNotCompleted();
        requireText("action", command.action(), 10_000);
        requireNewChild("step", steps.keySet(), command.stepId());
        apply(new StepAdded(taskId, command.stepId(), command.action()));
        return result(command.stepId(), true);
    }

    @CommandHandler
    CommandResult handle(StartStep command) {
        StepState step = step(command.stepId());
        if (step.status() != StepStatus.PENDING && step.status() != StepStatus.FAILED) {
            throw invalidStepTransition("start", step);
        }
        int retryCount = step.status() == StepStatus.FAILED ? step.retryCount() + 1 : step.retryCount();
        apply(new StepStarted(taskId, command.stepId(), retryCount));
        return result(command.stepId(), true);
    }

    @CommandHandler
    CommandResult handle(CompleteStep command) {
        StepState step = step(command.stepId());
        if (step.status() != StepStatus.EXECUTING) {
            throw invalidStepTransition("complete", step);
        }
        apply(new StepCompleted(taskId, command.stepId(), command.result()));
        return result(command.stepId(), true);
    }

    @CommandHandler
    CommandResult handle(FailStep command) {
        StepState step = step(command.stepId());
        if (step.status() != StepStatus.EXECUTING) {
            throw invalidStepTransition("fail", step);
        }
        apply(new StepFailed(taskId, command.stepId(), command.error()));
        return result(command.stepId(), true);
    }

    @EventSourcingHandler
    void on(TaskCreated event) {
        taskId = event.taskId();
        tenantId = event.tenantId();
        status = event.status();
        blockedBy = event.blockedBy();
        actionIds = new HashSet<>();
        targetIds = new HashSet<>();
        submissionIds = new HashSet<>();
        submissionsByKey = new HashMap<>();
        steps = new HashMap<>();
    }

    @EventSourcingHandler
    void on(TaskStarted event) {
        status = TaskStatus.IN_PROGRESS;
        started = true;
    }

    @EventSourcingHandler
    void on(TaskBlocked event) {
        status = TaskStatus.BLOCKED;
        manuallyBlocked = true;
    }

    @EventSourcingHandler
    void on(TaskUnblocked event) {
        status = event.status();
        manuallyBlocked = false;
    }

    @EventSourcingHandler
    void on(TaskDependencyResolved event) {
        status = event.status();
        blockedBy = event.blockedBy();
    }

    @EventSourcingHandler
    void on(TaskCompleted event) {
        status = TaskStatus.COMPLETED;
    }

    @EventSourcingHandler
    void on(TaskActionAdded event) {
        actionIds.add(event.actionId());
    }

    @EventSourcingHandler
    void on(ActionSubmitted event) {
        submissionsByKey.put(event.idempotencyKey(), event);
        submissionIds.add(event.submissionId());
    }

    @EventSourcingHandler
    void on(TaskTargetAdded event) {
        targetIds.add(event.targetRowId());
    }

    @EventSourcingHandler
    void on(StepAdded event) {
        steps.put(event.stepId(), new StepState(StepStatus.PENDING, 0));
    }

    @EventSourcingHandler
    void on(StepStarted event) {
        steps.put(event.stepId(), new StepState(StepStatus.EXECUTING, event.retryCount()));
    }

    @EventSourcingHandler
    void on(StepCompleted event) {
        steps.computeIfPresent(event.stepId(), (id, step) -> new StepState(StepStatus.COMPLETED, step.retryCount()));
    }

    @EventSourcingHandler
    void on(StepFailed event) {
        steps.computeIfPresent(event.stepId(), (id, step) -> new StepState(StepStatus.FAILED, step.retryCount()));
    }

    /** Where a task goes when a block ends: still blocked if another reason remains. */
    private TaskStatus statusWhenUnblocked(boolean stillManuallyBlocked, List<UUID> waitingFor) {
        if (stillManuallyBlocked || !waitingFor.isEmpty()) {
            return TaskStatus.BLOCKED;
        }
        return started ? TaskStatus.IN_PROGRESS : TaskStatus.PENDING;
    }

    private StepState step(UUID stepId) {
        requireNotCompleted();
        StepState step = steps.get(stepId);
        if (step == null) {
            throw DomainException.notFound("step_not_found", "task " + taskId + " has no step " + stepId);
        }
        return step;
    }

    /**
     * Child ids are client-chosen and the read model keys a child by its task, so an id may be
     * used once per kind within a task: a second use would overwrite the first's row.
     */
    private static void requireNewChild(String kind, Set<UUID> existing, UUID id) {
        if (existing.contains(id)) {
            throw DomainException.conflict("already_exists", kind + " " + id + " already exists");
        }
    }

    private void requireStatus(String action, TaskStatus required) {
        if (status != required) {
            throw invalidTransition(action, "it is " + status.wire());
        }
    }

    private void requireNotCompleted() {
        if (status == TaskStatus.COMPLETED) {
            throw DomainException.conflict("task_completed", "task " + taskId + " is completed and can no longer change");
        }
    }

    private DomainException invalidTransition(String action, String why) {
        return DomainException.conflict("invalid_transition", "Cannot " + action + " task " + taskId + ": " + why);
    }

    private DomainException invalidStepTransition(String action, StepState step) {
        return DomainException.conflict("invalid_transition",
                                        "Cannot " + action + " a step that is " + step.status().wire());
    }

    private static void requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be at most " + maxLength + " characters");
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static CommandResult result(UUID id, boolean created) {
        return new CommandResult(id, currentVersion(), created);
    }
}
