package dev.verity.command.execution;

import dev.verity.command.budget.BudgetLimits;
import dev.verity.command.budget.BudgetLookup;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The lookup's contract for fixture tests; JdbcBudgetLookupTest covers the PostgreSQL one. */
class InMemoryBudgetLookup implements BudgetLookup {

    private final Map<List<UUID>, BudgetLimits> budgets = new HashMap<>();

    InMemoryBudgetLookup with(UUID tenantId, UUID projectId, BudgetLimits limits) {
        budgets.put(List.of(tenantId, projectId), limits);
        return this;
    }

    @Override
    public Optional<BudgetLimits> find(UUID tenantId, UUID projectId) {
        return Optional.ofNullable(budgets.get(List.of(tenantId, projectId)));
    }
}
