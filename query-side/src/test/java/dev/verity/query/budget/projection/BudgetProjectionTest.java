package dev.verity.query.budget.projection;

import dev.verity.events.budget.BudgetEvent.BudgetChanged;
import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.events.budget.BudgetIds;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.query.execution.ExecutionStreams;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The live `budgets` processor writing seed 001 {@code budget_limits}. */
class BudgetProjectionTest extends ExecutionStreams {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID budgetId = BudgetIds.of(tenant, project);

    private Map<String, Object> row(UUID id) {
        return owner.queryForMap("SELECT tenant_id, project_id, max_tokens, max_cost_usd, warning_threshold,"
                                 + " on_limit_reached, version FROM read_model.budget_limits WHERE id = ?", id);
    }

    @Test
    void budgetCreatedThenChanged_keepsOneRowAtTheLatestLimits() {
        long version = append(tenant,
                              new BudgetCreated(budgetId, tenant, project, 100_000, new BigDecimal("5.00"),
                                                new BigDecimal("0.80"), OnLimitReached.PAUSE),
                              new BudgetChanged(budgetId, tenant, project, 42, new BigDecimal("0.1234"),
                                                new BigDecimal("0.5"), OnLimitReached.WARN));
        awaitBudgetVersion(budgetId, version);

        assertThat(row(budgetId)).containsEntry("tenant_id", tenant)
                                 .containsEntry("project_id", project)
                                 .containsEntry("max_tokens", 42)
                                 .containsEntry("max_cost_usd", new BigDecimal("0.1234"))
                                 .containsEntry("warning_threshold", new BigDecimal("0.50"))
                                 .containsEntry("on_limit_reached", "warn")
                                 .containsEntry("version", 1L);
    }

    @Test
    void twoTenants_withTheSameProject_haveTwoRows() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherBudget = BudgetIds.of(otherTenant, project);
        awaitBudgetVersion(budgetId, append(tenant, new BudgetCreated(budgetId, tenant, project, 1,
                                                                      BigDecimal.ONE, BigDecimal.ONE,
                                                                      OnLimitReached.FAIL)));
        awaitBudgetVersion(otherBudget, append(otherTenant, new BudgetCreated(otherBudget, otherTenant, project, 2,
                                                                              BigDecimal.TEN, BigDecimal.ONE,
                                                                              OnLimitReached.WARN)));

        assertThat(row(budgetId)).containsEntry("max_tokens", 1);
        assertThat(row(otherBudget)).containsEntry("max_tokens", 2).containsEntry("tenant_id", otherTenant);
    }
}
