package dev.verity.query.budget.projection;

import dev.verity.events.budget.BudgetEvent.BudgetChanged;
import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.time.Instant;

import static dev.verity.query.platform.projection.SqlValues.time;
import static dev.verity.query.platform.projection.SqlValues.wire;

/**
 * Rebuilds seed 001 {@code budget_limits} from Budget events, one row per tenant and project,
 * keyed by the budget's aggregate id. Idempotent by version like every projection
 * ({@link ReadModelWriter}).
 */
@ProcessingGroup(BudgetProjection.PROCESSING_GROUP)
public class BudgetProjection {

    public static final String PROCESSING_GROUP = "budgets";

    private static final String BUDGETS = "budget_limits";

    private final ReadModelWriter writer;

    public BudgetProjection(ReadModelWriter writer) {
        this.writer = writer;
    }

    @EventHandler
    public void on(BudgetCreated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.insert(BUDGETS, new MapSqlParameterSource()
                .addValue("id", e.budgetId())
                .addValue("tenant_id", e.tenantId())
                .addValue("project_id", e.projectId())
                .addValue("max_tokens", e.maxTokens())
                .addValue("max_cost_usd", e.maxCostUsd())
                .addValue("warning_threshold", e.warningThreshold())
                .addValue("on_limit_reached", wire(e.onLimitReached()))
                .addValue("created_at", time(at))
                .addValue("updated_at", time(at))
                .addValue("version", version));
    }

    @EventHandler
    public void on(BudgetChanged e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(BUDGETS, e.budgetId(), version, at).ifPresent(tenant ->
                writer.update(BUDGETS, new MapSqlParameterSource("tenant_id", tenant).addValue("id", e.budgetId()),
                              new MapSqlParameterSource()
                                      .addValue("max_tokens", e.maxTokens())
                                      .addValue("max_cost_usd", e.maxCostUsd())
                                      .addValue("warning_threshold", e.warningThreshold())
                                      .addValue("on_limit_reached", wire(e.onLimitReached()))));
    }
}
