package dev.verity.command.budget;

import dev.verity.command.budget.BudgetCommand.SetBudget;
import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.events.budget.BudgetEvent.BudgetChanged;
import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.events.budget.BudgetIds;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.util.Objects;
import java.util.UUID;

import static dev.verity.command.platform.ExistingRecord.currentVersion;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * A project's budget (seed 001 {@code budget_limits}): the limits new agent executions of the
 * project take when they name none. One per tenant and project, identified by
 * {@link BudgetIds#of}, so two tenants with the same project id have two budgets. Executions copy
 * the limits when they are created (see {@link BudgetLookup}); changing a budget changes no
 * running execution, whose own limits are raised with {@code /limits}.
 */
@Aggregate
class Budget {

    @AggregateIdentifier
    private UUID budgetId;
    private UUID tenantId;
    private BudgetLimits limits;

    Budget() {
        // Axon rebuilds the aggregate from its events.
    }

    /** The first PUT creates the budget, every later one replaces its limits; an unchanged PUT appends nothing. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    CommandResult handle(SetBudget command) {
        Objects.requireNonNull(command.projectId(), "projectId is required");
        if (!command.budgetId().equals(BudgetIds.of(command.tenantId(), command.projectId()))) {
            throw new IllegalArgumentException("budgetId must be derived from tenant and project");
        }
        if (budgetId != null) {
            if (!tenantId.equals(command.tenantId())) {
                throw DomainException.notFound("not_found", "No such record");
            }
            long version = currentVersion();
            if (command.expectedVersion() != null && command.expectedVersion() != version) {
                throw DomainException.versionMismatch(command.expectedVersion(), version);
            }
        } else if (command.expectedVersion() != null) {
            throw DomainException.versionMismatch(command.expectedVersion(), -1);
        }
        BudgetLimits requested = BudgetLimits.of(command.maxTokens(), command.maxCostUsd(),
                                                 command.warningThreshold(), command.onLimitReached());
        if (budgetId == null) {
            apply(new BudgetCreated(command.budgetId(), command.tenantId(), command.projectId(), requested.maxTokens(),
                                    requested.maxCostUsd(), requested.warningThreshold(), requested.onLimitReached()));
            return result(true);
        }
        if (requested.sameAs(limits)) {
            return result(false);
        }
        apply(new BudgetChanged(budgetId, tenantId, command.projectId(), requested.maxTokens(),
                                requested.maxCostUsd(), requested.warningThreshold(), requested.onLimitReached()));
        return result(true);
    }

    @EventSourcingHandler
    void on(BudgetCreated event) {
        budgetId = event.budgetId();
        tenantId = event.tenantId();
        limits = new BudgetLimits(event.maxTokens(), event.maxCostUsd(), event.warningThreshold(),
                                  event.onLimitReached());
    }

    @EventSourcingHandler
    void on(BudgetChanged event) {
        limits = new BudgetLimits(event.maxTokens(), event.maxCostUsd(), event.warningThreshold(),
                                  event.onLimitReached());
    }

    private CommandResult result(boolean changed) {
        return new CommandResult(budgetId, currentVersion(), changed);
    }

}
