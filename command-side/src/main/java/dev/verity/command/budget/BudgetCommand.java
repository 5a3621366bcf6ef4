package dev.verity.command.budget;

import dev.verity.events.budget.OnLimitReached;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.math.BigDecimal;
import java.util.UUID;

/** Commands on a project's budget; {@code budgetId} is {@link dev.verity.events.budget.BudgetIds#of} of tenant and project. */
sealed interface BudgetCommand {

    UUID budgetId();

    UUID tenantId();

    Long expectedVersion();

    /** Sets every limit at once (a PUT): fields the client left out are the seed's defaults, not what was there. */
    record SetBudget(@TargetAggregateIdentifier UUID budgetId, UUID tenantId, Long expectedVersion, UUID projectId,
                     Long maxTokens, BigDecimal maxCostUsd, BigDecimal warningThreshold,
                     OnLimitReached onLimitReached) implements BudgetCommand {
    }
}
