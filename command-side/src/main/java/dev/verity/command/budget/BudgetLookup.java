package dev.verity.command.budget;

import java.util.Optional;
import java.util.UUID;

/**
 * Each project's budget as its latest event left it: what an agent execution created without
 * limits takes (set-based, so no one AgentExecution can know it). Fed in the same transaction as
 * the budget's events (see {@link BudgetLookupProjector}), never read from the query side.
 */
public interface BudgetLookup {

    Optional<BudgetLimits> find(UUID tenantId, UUID projectId);
}
