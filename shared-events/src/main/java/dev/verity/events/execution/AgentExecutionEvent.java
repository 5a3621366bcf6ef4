package dev.verity.events.execution;

import dev.verity.events.budget.OnLimitReached;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything that can happen to an agent execution (seed 001 {@code agent_executor_state} and
 * {@code checkpoint_snapshots}). Events carry decisions already made (the new totals, the step
 * reached, what a resume restored), so projections and event sourcing handlers only assign.
 * Stored for ever: add fields or event types, never change these.
 */
public sealed interface AgentExecutionEvent {

    UUID executionId();

    /**
     * The limits and the budget policy (warning threshold, what to do at a limit) are fixed here:
     * taken from the request, else from the project's budget at this moment, else the seed defaults.
     */
    record ExecutionCreated(UUID executionId,
                            UUID tenantId,
                            UUID projectId,
                            String strategy,
                            List<AgentDescriptor> agents,
                            Integer totalSteps,
                            int tokensLimit,
                            BigDecimal costLimit,
                            BigDecimal warningThreshold,
                            OnLimitReached onLimitReached,
                            String createdBy) implements AgentExecutionEvent {
    }

    record ExecutionStarted(UUID executionId) implements AgentExecutionEvent {
    }

    /**
     * {@code agents}, when not null, replaces the agent list; {@code intermediateResults}, when
     * not null, is merged key by key into the execution's intermediate results.
     */
    record StepAdvanced(UUID executionId, int currentStep, String stepName, List<AgentDescriptor> agents,
                        Map<String, Object> intermediateResults) implements AgentExecutionEvent {
    }

    /** {@code reason} is {@code requested} or {@code budget_exceeded}. */
    record ExecutionPaused(UUID executionId, String reason) implements AgentExecutionEvent {
    }

    /**
     * A resume from a checkpoint carries what it restored: the checkpoint's step and intermediate
     * results replace the execution's. Without a checkpoint those three are null.
     */
    record ExecutionResumed(UUID executionId, UUID checkpointId, Integer currentStep,
                            Map<String, Object> intermediateResults) implements AgentExecutionEvent {
    }

    record ExecutionCompleted(UUID executionId, Map<String, Object> finalResult) implements AgentExecutionEvent {
    }

    /** {@code error} is the client's, or {@code {"code": "budget_exceeded", ...}} when a limit failed it. */
    record ExecutionFailed(UUID executionId, Map<String, Object> error) implements AgentExecutionEvent {
    }

    /** One usage report and the totals after it. */
    record UsageRecorded(UUID executionId, long tokens, BigDecimal costUsd, String agent, long tokensUsed,
                         BigDecimal costIncurred, BudgetState budgetState) implements AgentExecutionEvent {
    }

    /** Usage passed the warning threshold of {@code limit}: recorded once, until raised limits reset it. */
    record BudgetWarningReached(UUID executionId, BudgetLimit limit, long tokensUsed, BigDecimal costIncurred)
            implements AgentExecutionEvent {
    }

    /**
     * Usage reached {@code limit}; {@code action} is what the execution's policy did about it
     * (an {@link ExecutionPaused} or {@link ExecutionFailed} follows for pause and fail).
     */
    record BudgetLimitReached(UUID executionId, BudgetLimit limit, long tokensUsed, BigDecimal costIncurred,
                              OnLimitReached action) implements AgentExecutionEvent {
    }

    /**
     * The execution's limits after a raise and where usage stands against them: below a limit
     * again, a paused execution may resume, and crossing the new thresholds is recorded anew.
     */
    record LimitsRaised(UUID executionId, int tokensLimit, BigDecimal costLimit, BudgetState budgetState)
            implements AgentExecutionEvent {
    }

    record CheckpointCreated(UUID executionId, UUID checkpointId, int stepIndex, String stepName,
                             CheckpointState state, Instant expiresAt) implements AgentExecutionEvent {
    }

    /** The checkpoint's expiry deadline fired: it can no longer be resumed from, and leaves the read model. */
    record CheckpointExpired(UUID executionId, UUID checkpointId) implements AgentExecutionEvent {
    }
}
