package dev.verity.events.budget;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * Everything that can happen to a project's budget (seed 001 {@code budget_limits}). The
 * aggregate id is {@link BudgetIds#of(UUID, UUID)}. Stored for ever: add, never change.
 */
public sealed interface BudgetEvent {

    UUID budgetId();

    UUID tenantId();

    UUID projectId();

    record BudgetCreated(UUID budgetId, UUID tenantId, UUID projectId, int maxTokens, BigDecimal maxCostUsd,
                         BigDecimal warningThreshold, OnLimitReached onLimitReached) implements BudgetEvent {
    }

    record BudgetChanged(UUID budgetId, UUID tenantId, UUID projectId, int maxTokens, BigDecimal maxCostUsd,
                         BigDecimal warningThreshold, OnLimitReached onLimitReached) implements BudgetEvent {
    }
}
