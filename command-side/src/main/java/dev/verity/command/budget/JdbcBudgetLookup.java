package dev.verity.command.budget;

import dev.verity.events.budget.BudgetEvent;
import dev.verity.events.budget.OnLimitReached;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;

@Component
class JdbcBudgetLookup implements BudgetLookup {

    private final JdbcTemplate jdbc;

    JdbcBudgetLookup(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<BudgetLimits> find(UUID tenantId, UUID projectId) {
        return jdbc.query("SELECT max_tokens, max_cost_usd, warning_threshold, on_limit_reached"
                          + " FROM command_model.budget_lookup WHERE tenant_id = ? AND project_id = ?",
                          (rs, row) -> new BudgetLimits(rs.getInt("max_tokens"), rs.getBigDecimal("max_cost_usd"),
                                                        rs.getBigDecimal("warning_threshold"),
                                                        OnLimitReached.valueOf(rs.getString("on_limit_reached"))),
                          tenantId, projectId)
                   .stream().findFirst();
    }

    void record(BudgetEvent event, int maxTokens, BigDecimal maxCostUsd, BigDecimal warningThreshold,
                OnLimitReached onLimitReached) {
        jdbc.update("""
                INSERT INTO command_model.budget_lookup
                       (tenant_id, project_id, budget_id, max_tokens, max_cost_usd, warning_threshold, on_limit_reached)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, project_id) DO UPDATE
                   SET max_tokens = EXCLUDED.max_tokens, max_cost_usd = EXCLUDED.max_cost_usd,
                       warning_threshold = EXCLUDED.warning_threshold, on_limit_reached = EXCLUDED.on_limit_reached""",
                    event.tenantId(), event.projectId(), event.budgetId(), maxTokens, maxCostUsd, warningThreshold,
                    onLimitReached.name());
    }
}
