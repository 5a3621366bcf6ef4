package dev.verity.command.budget;

import dev.verity.events.budget.BudgetEvent.BudgetChanged;
import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Keeps {@link BudgetLookup} current. It runs in a subscribing processor, inside the transaction
 * that appends the budget's events, so the next execution created sees the budget just set.
 */
@Component
@ProcessingGroup(BudgetLookupProjector.PROCESSING_GROUP)
class BudgetLookupProjector {

    static final String PROCESSING_GROUP = "budget-lookup";

    private final JdbcBudgetLookup lookup;

    BudgetLookupProjector(JdbcBudgetLookup lookup) {
        this.lookup = lookup;
    }

    @EventHandler
    void on(BudgetCreated event) {
        lookup.record(event, event.maxTokens(), event.maxCostUsd(), event.warningThreshold(), event.onLimitReached());
    }

    @EventHandler
    void on(BudgetChanged event) {
        lookup.record(event, event.maxTokens(), event.maxCostUsd(), event.warningThreshold(), event.onLimitReached());
    }
}
