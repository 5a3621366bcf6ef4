package dev.verity.command.execution;

import dev.verity.events.execution.BudgetState;
import dev.verity.events.execution.ExecutionStatus;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** What the two commands answer that say more than an id and a version. */
final class ExecutionResults {

    private ExecutionResults() {
    }

    /** A usage report's answer: the totals after it and where they stand against the limits. */
    record UsageResult(UUID id, long version, long tokensUsed, BigDecimal costIncurred, BudgetState budgetState,
                       ExecutionStatus status) {
    }

    /** A new checkpoint's id and when it expires; {@code version} is the execution's. */
    record CheckpointResult(UUID id, long version, Instant expiresAt) {
    }
}
