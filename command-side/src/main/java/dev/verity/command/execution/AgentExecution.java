package dev.verity.command.execution;

import dev.verity.command.budget.BudgetLimits;
import dev.verity.command.budget.BudgetLookup;
import dev.verity.command.execution.AgentExecutionCommand.AdvanceStep;
import dev.verity.command.execution.AgentExecutionCommand.CompleteExecution;
import dev.verity.command.execution.AgentExecutionCommand.CreateCheckpoint;
import dev.verity.command.execution.AgentExecutionCommand.CreateExecution;
import dev.verity.command.execution.AgentExecutionCommand.FailExecution;
import dev.verity.command.execution.AgentExecutionCommand.PauseExecution;
import dev.verity.command.execution.AgentExecutionCommand.RaiseLimits;
import dev.verity.command.execution.AgentExecutionCommand.ReportUsage;
import dev.verity.command.execution.AgentExecutionCommand.ResumeExecution;
import dev.verity.command.execution.AgentExecutionCommand.StartExecution;
import dev.verity.command.execution.ExecutionResults.CheckpointResult;
import dev.verity.command.execution.ExecutionResults.UsageResult;
import dev.verity.command.platform.Amounts;
import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.ExistingRecord;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.common.ActorType;
import dev.verity.events.common.MetadataKeys;
import dev.verity.events.execution.AgentDescriptor;
import dev.verity.events.execution.AgentExecutionEvent.BudgetLimitReached;
import dev.verity.events.execution.AgentExecutionEvent.BudgetWarningReached;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointCreated;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointExpired;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCompleted;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCreated;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionFailed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionPaused;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionResumed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.LimitsRaised;
import dev.verity.events.execution.AgentExecutionEvent.StepAdvanced;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetLimit;
import dev.verity.events.execution.BudgetState;
import dev.verity.events.execution.CheckpointState;
import dev.verity.events.execution.ExecutionStatus;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CommandHandlerInterceptor;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import static dev.verity.command.platform.ExistingRecord.currentVersion;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * One run of a project's agents (seed 001 {@code agent_executor_state}, with its
 * {@code checkpoint_snapshots}). The budget is enforced here, where every usage report of the
 * execution passes one at a time and optimistic locking on the event stream refuses a report
 * decided on stale totals: so the totals are exact, a threshold is crossed exactly once, and
 * after a pause at a limit no further report is accepted.
 * <p>
 * A checkpoint's expiry is a persistent deadline (see {@code platform.deadline}): it fires even if
 * it fell due while the command side was down, and records {@link CheckpointExpired}.
 */
@Aggregate
class AgentExecution {

    private static final String INVALID_TRANSITION = "invalid_transition";
    private static final String BUDGET_EXCEEDED = "budget_exceeded";
    private static final String VALIDATION_FAILED = "validation_failed";

    @AggregateIdentifier
    private UUID executionId;
    private UUID tenantId;
    private ExecutionStatus status;
    private int currentStep;
    private Integer totalSteps;
    private int tokensLimit;
    private BigDecimal costLimit;
    private BigDecimal warningThreshold;
    private OnLimitReached onLimitReached;
    private long tokensUsed;
    private BigDecimal costIncurred;
    private boolean warned;
    private boolean limitReached;
    private Map<UUID, Checkpoint> checkpoints;

    private record Checkpoint(int stepIndex, Map<String, Object> intermediateResults, Instant expiresAt,
                              boolean expired) {
    }

    AgentExecution() {
        // Axon rebuilds the aggregate from its events.
    }

    /** Tenant and If-Match checks for every command on an existing execution, in one place. */
    @CommandHandlerInterceptor
    Object guard(CommandMessage<?> message, InterceptorChain chain) throws Exception {
        if (executionId != null && message.getPayload() instanceof AgentExecutionCommand command) {
            ExistingRecord.admit(tenantId, command.tenantId(), command.expectedVersion());
        }
        return chain.proceed();
    }

    /** Limits not given come from the project's budget as it is now, else from the seed's defaults. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    CommandResult handle(CreateExecution command, BudgetLookup budgets) {
        Objects.requireNonNull(command.projectId(), "projectId is required");
        requireText("strategy", command.strategy(), 50);
        requireAgents(command.agents());
        Integer steps = command.totalSteps() == null ? null : Amounts.requireInteger("totalSteps", command.totalSteps(), 1);
        BudgetLimits budget = budgets.find(command.tenantId(), command.projectId()).orElse(BudgetLimits.SEED_DEFAULTS);
        int tokens = command.tokensLimit() == null ? budget.maxTokens()
                : Amounts.requireInteger("tokensLimit", command.tokensLimit(), 1);
        BigDecimal cost = command.costLimit() == null ? budget.maxCostUsd()
                : BudgetLimits.requireCost("costLimit", command.costLimit(), true);
        apply(new ExecutionCreated(command.executionId(), command.tenantId(), command.projectId(), command.strategy(),
                                   List.copyOf(command.agents()), steps, tokens, cost, budget.warningThreshold(),
                                   budget.onLimitReached(), command.createdBy()));
        return result();
    }

    @CommandHandler
    CommandResult handle(StartExecution command) {
        requireStatus("start", ExecutionStatus.PENDING);
        apply(new ExecutionStarted(executionId));
        return result();
    }

    @CommandHandler
    CommandResult handle(AdvanceStep command) {
        requireStatus("advance", ExecutionStatus.RUNNING);
        requireText("stepName", command.stepName(), 100);
        if (command.agents() != null) {
            requireAgents(command.agents());
        }
        if (totalSteps != null && currentStep >= totalSteps) {
            throw DomainException.conflict("total_steps_reached",
                                           "execution " + executionId + " is at its last step (" + totalSteps + ")");
        }
        apply(new StepAdvanced(executionId, currentStep + 1, command.stepName(),
                               command.agents() == null ? null : List.copyOf(command.agents()),
                               command.intermediateResults()));
        return result();
    }

    @CommandHandler
    CommandResult handle(PauseExecution command) {
        requireStatus("pause", ExecutionStatus.RUNNING);
        apply(new ExecutionPaused(executionId, "requested"));
        return result();
    }

    /**
     * Resuming needs usage below the limits (raise them first), and from a checkpoint restores its
     * step and intermediate results; usage already incurred stays incurred.
     */
    @CommandHandler
    CommandResult handle(ResumeExecution command) {
        requireStatus("resume", ExecutionStatus.PAUSED);
        if (limitReached) {
            throw DomainException.conflict(BUDGET_EXCEEDED, "execution " + executionId
                                                            + " has reached a limit; raise it with /limits first");
        }
        if (command.checkpointId() == null) {
            apply(new ExecutionResumed(executionId, null, null, null));
            return result();
        }
        Checkpoint checkpoint = checkpoints.get(command.checkpointId());
        if (checkpoint == null) {
            throw DomainException.notFound("checkpoint_not_found",
                                           "execution " + executionId + " has no checkpoint " + command.checkpointId());
        }
        if (checkpoint.expired() || !now().isBefore(checkpoint.expiresAt())) {
            throw DomainException.conflict("checkpoint_expired", "checkpoint " + command.checkpointId()
                                                                 + " expired at " + checkpoint.expiresAt());
        }
        apply(new ExecutionResumed(executionId, command.checkpointId(), checkpoint.stepIndex(),
                                   checkpoint.intermediateResults()));
        return result();
    }

    @CommandHandler
    CommandResult handle(CompleteExecution command) {
        requireStatus("complete", ExecutionStatus.RUNNING);
        apply(new ExecutionCompleted(executionId, command.finalResult()));
        return result();
    }

    @CommandHandler
    CommandResult handle(FailExecution command) {
        requireNotFinished("fail");
        Objects.requireNonNull(command.error(), "error is required");
        apply(new ExecutionFailed(executionId, command.error()));
        return result();
    }

    /**
     * Adds one report to the totals. Crossing the warning threshold of either limit records one
     * warning; reaching a limit records one {@link BudgetLimitReached} and applies the execution's
     * policy: pause, fail with {@code budget_exceeded}, or warn and go on. The report that reaches
     * the limit is itself recorded: its usage happened.
     */
    @CommandHandler
    UsageResult handle(ReportUsage command) {
        if (status != ExecutionStatus.RUNNING) {
            throw DomainException.conflict("execution_not_running", "Cannot record usage on execution " + executionId
                                                                    + ": it is " + status.wire());
        }
        int tokens = Amounts.requireInteger("tokens", command.tokens(), 0);
        BigDecimal cost = BudgetLimits.requireCost("costUsd", command.costUsd(), false);
        if (command.agent() != null) {
            requireText("agent", command.agent(), 100);
        }
        long newTokens = tokensUsed + tokens;
        if (newTokens > Amounts.MAX_INTEGER) {
            throw DomainException.badField(VALIDATION_FAILED, "tokens",
                                           "would take the execution's tokens past " + Amounts.MAX_INTEGER);
        }
        BigDecimal newCost = costIncurred.add(cost);
        BudgetLimits.requireCost("costUsd", newCost, false);
        BudgetLimit reached = reached(newTokens, newCost, BigDecimal.ONE);
        BudgetLimit warning = reached(newTokens, newCost, warningThreshold);
        BudgetState state = reached != null ? BudgetState.EXCEEDED : warning != null ? BudgetState.WARNING : BudgetState.OK;
        apply(new UsageRecorded(executionId, tokens, cost, command.agent(), newTokens, newCost, state));
        if (warning != null && !warned) {
            apply(new BudgetWarningReached(executionId, warning, newTokens, newCost));
        }
        if (reached != null && !limitReached) {
            apply(new BudgetLimitReached(executionId, reached, newTokens, newCost, onLimitReached));
            if (onLimitReached == OnLimitReached.PAUSE) {
                apply(new ExecutionPaused(executionId, BUDGET_EXCEEDED));
            } else if (onLimitReached == OnLimitReached.FAIL) {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("code", BUDGET_EXCEEDED);
                error.put("limit", reached.wire());
                error.put("message", "The execution reached its " + reached.wire() + " limit");
                apply(new ExecutionFailed(executionId, error));
            }
        }
        return new UsageResult(executionId, currentVersion(), tokensUsed, costIncurred, state, status);
    }

    /** Limits only go up: lowering one under usage already incurred would skip its crossing. */
    @CommandHandler
    CommandResult handle(RaiseLimits command) {
        requireNotFinished("raise the limits of");
        if (command.tokensLimit() == null && command.costLimit() == null) {
            throw DomainException.badField(VALIDATION_FAILED, "tokensLimit", "or costLimit is required");
        }
        int tokens = command.tokensLimit() == null ? tokensLimit
                : Amounts.requireInteger("tokensLimit", command.tokensLimit(), tokensLimit);
        BigDecimal cost = command.costLimit() == null ? costLimit
                : BudgetLimits.requireCost("costLimit", command.costLimit(), true);
        if (cost.compareTo(costLimit) < 0) {
            throw DomainException.badField(VALIDATION_FAILED, "costLimit",
                                           "must be at least the current limit " + costLimit.toPlainString());
        }
        BudgetState state = reachedAgainst(tokens, cost, BigDecimal.ONE) ? BudgetState.EXCEEDED
                : reachedAgainst(tokens, cost, warningThreshold) ? BudgetState.WARNING : BudgetState.OK;
        apply(new LimitsRaised(executionId, tokens, cost, state));
        return result();
    }

    @CommandHandler
    CheckpointResult handle(CreateCheckpoint command, DeadlineManager deadlines) {
        if (status != ExecutionStatus.RUNNING && status != ExecutionStatus.PAUSED) {
            throw invalidTransition("checkpoint", "it is " + status.wire());
        }
        Objects.requireNonNull(command.checkpointId(), "checkpointId is required");
        int stepIndex = Amounts.requireInteger("stepIndex", command.stepIndex(), 0);
        if (stepIndex > currentStep) {
            throw DomainException.badField(VALIDATION_FAILED, "stepIndex",
                                           "must be at most the current step " + currentStep);
        }
        requireText("stepName", command.stepName(), 100);
        if (command.state() == null) {
            throw DomainException.badField(VALIDATION_FAILED, "state", "is required");
        }
        if (command.ttl() == null || command.ttl().isNegative() || command.ttl().isZero()) {
            throw DomainException.badField(VALIDATION_FAILED, "ttl", "must be a positive duration");
        }
        if (checkpoints.containsKey(command.checkpointId())) {
            throw DomainException.conflict("already_exists", "checkpoint " + command.checkpointId() + " already exists");
        }
        Instant expiresAt = now().plus(command.ttl());
        CheckpointState state = new CheckpointState(
                command.state().completedSteps() == null ? List.of() : command.state().completedSteps(),
                command.state().pendingSteps() == null ? List.of() : command.state().pendingSteps(),
                command.state().intermediateResults() == null ? Map.of() : command.state().intermediateResults(),
                command.state().agentStates() == null ? Map.of() : command.state().agentStates(),
                tokensUsed, costIncurred);
        apply(new CheckpointCreated(executionId, command.checkpointId(), stepIndex, command.stepName(), state,
                                    expiresAt));
        deadlines.schedule(expiresAt, CheckpointExpiry.DEADLINE, new GenericMessage<>(
                new CheckpointExpiry(command.checkpointId()),
                MetaData.with(MetadataKeys.TENANT_ID, tenantId.toString())
                        .and(MetadataKeys.ACTOR_TYPE, ActorType.SYSTEM.wire())
                        .and(MetadataKeys.ACTOR_ID, CheckpointExpiry.ACTOR_ID)));
        return new CheckpointResult(command.checkpointId(), currentVersion(), expiresAt);
    }

    /** The deadline may fire more than once (a retried execution): an expired checkpoint stays expired. */
    @DeadlineHandler(deadlineName = CheckpointExpiry.DEADLINE)
    void on(CheckpointExpiry expiry) {
        Checkpoint checkpoint = checkpoints.get(expiry.checkpointId());
        if (checkpoint != null && !checkpoint.expired()) {
            apply(new CheckpointExpired(executionId, expiry.checkpointId()));
        }
    }

    @EventSourcingHandler
    void on(ExecutionCreated event) {
        executionId = event.executionId();
        tenantId = event.tenantId();
        status = ExecutionStatus.PENDING;
        totalSteps = event.totalSteps();
        tokensLimit = event.tokensLimit();
        costLimit = event.costLimit();
        warningThreshold = event.warningThreshold();
        onLimitReached = event.onLimitReached();
        costIncurred = BigDecimal.ZERO;
        checkpoints = new HashMap<>();
    }

    @EventSourcingHandler
    void on(ExecutionStarted event) {
        status = ExecutionStatus.RUNNING;
    }

    @EventSourcingHandler
    void on(StepAdvanced event) {
        currentStep = event.currentStep();
    }

    @EventSourcingHandler
    void on(ExecutionPaused event) {
        status = ExecutionStatus.PAUSED;
    }

    @EventSourcingHandler
    void on(ExecutionResumed event) {
        status = ExecutionStatus.RUNNING;
        if (event.currentStep() != null) {
            currentStep = event.currentStep();
        }
    }

    @EventSourcingHandler
    void on(ExecutionCompleted event) {
        status = ExecutionStatus.COMPLETED;
    }

    @EventSourcingHandler
    void on(ExecutionFailed event) {
        status = ExecutionStatus.FAILED;
    }

    @EventSourcingHandler
    void on(UsageRecorded event) {
        tokensUsed = event.tokensUsed();
        costIncurred = event.costIncurred();
    }

    @EventSourcingHandler
    void on(BudgetWarningReached event) {
        warned = true;
    }

    @EventSourcingHandler
    void on(BudgetLimitReached event) {
        warned = true;
        limitReached = true;
    }

    @EventSourcingHandler
    void on(LimitsRaised event) {
        tokensLimit = event.tokensLimit();
        costLimit = event.costLimit();
        warned = event.budgetState() != BudgetState.OK;
        limitReached = event.budgetState() == BudgetState.EXCEEDED;
    }

    @EventSourcingHandler
    void on(CheckpointCreated event) {
        checkpoints.put(event.checkpointId(), new Checkpoint(event.stepIndex(), event.state().intermediateResults(),
                                                             event.expiresAt(), false));
    }

    @EventSourcingHandler
    void on(CheckpointExpired event) {
        checkpoints.computeIfPresent(event.checkpointId(), (id, checkpoint) -> new Checkpoint(
                checkpoint.stepIndex(), checkpoint.intermediateResults(), checkpoint.expiresAt(), true));
    }

    /** The first limit whose {@code fraction} the totals reach, tokens before cost; null when neither. */
    private BudgetLimit reached(long tokens, BigDecimal cost, BigDecimal fraction) {
        if (BigDecimal.valueOf(tokens).compareTo(fraction.multiply(BigDecimal.valueOf(tokensLimit))) >= 0) {
            return BudgetLimit.TOKENS;
        }
        if (cost.compareTo(fraction.multiply(costLimit)) >= 0) {
            return BudgetLimit.COST;
        }
        return null;
    }

    private boolean reachedAgainst(int tokens, BigDecimal cost, BigDecimal fraction) {
        return BigDecimal.valueOf(tokensUsed).compareTo(fraction.multiply(BigDecimal.valueOf(tokens))) >= 0
               || costIncurred.compareTo(fraction.multiply(cost)) >= 0;
    }

    private void requireStatus(String action, ExecutionStatus required) {
        if (status != required) {
            throw invalidTransition(action, "it is " + status.wire());
        }
    }

    private void requireNotFinished(String action) {
        if (status == ExecutionStatus.COMPLETED || status == ExecutionStatus.FAILED) {
            throw invalidTransition(action, "it is " + status.wire());
        }
    }

    private DomainException invalidTransition(String action, String why) {
        return DomainException.conflict(INVALID_TRANSITION, "Cannot " + action + " execution " + executionId + ": " + why);
    }

    private static void requireAgents(List<AgentDescriptor> agents) {
        if (agents == null) {
            throw DomainException.badField(VALIDATION_FAILED, "agents", "is required");
        }
        if (agents.size() > 100) {
            throw DomainException.badField(VALIDATION_FAILED, "agents", "must hold at most 100 agents");
        }
        for (int i = 0; i < agents.size(); i++) {
            AgentDescriptor agent = agents.get(i);
            if (agent == null) {
                throw DomainException.badField(VALIDATION_FAILED, "agents[" + i + "]", "must not be null");
            }
            requireText("agents[" + i + "].name", agent.name(), 100);
            requireText("agents[" + i + "].role", agent.role(), 100);
            requireText("agents[" + i + "].status", agent.status(), 50);
        }
    }

    private static void requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw DomainException.badField(VALIDATION_FAILED, field, "must not be blank");
        }
        if (value.length() > maxLength) {
            throw DomainException.badField(VALIDATION_FAILED, field, "must be at most " + maxLength + " characters");
        }
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }

    private CommandResult result() {
        return new CommandResult(executionId, currentVersion(), true);
    }
}
