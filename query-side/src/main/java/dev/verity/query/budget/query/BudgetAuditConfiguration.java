package dev.verity.query.budget.query;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.budget.projection.BudgetProjection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Budgets in the audit API, by the budget's id (the {@code id} of {@code GET .../budget}):
 * {@code /api/v1/audit/budgets/{id}/history} and {@code .../as-of}, the limits as they stood then.
 */
@Configuration(proxyBeanMethods = false)
class BudgetAuditConfiguration {

    @Bean
    AuditedAggregate auditedBudget(BudgetQueries queries) {
        return new AuditedAggregate("Budget", List.of("budgets", "budget"), BudgetProjection.PROCESSING_GROUP,
                                    queries::budgetLimits);
    }
}
