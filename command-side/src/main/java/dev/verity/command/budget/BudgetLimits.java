package dev.verity.command.budget;

import dev.verity.command.platform.Amounts;
import dev.verity.events.budget.OnLimitReached;

import java.math.BigDecimal;

/**
 * A budget's four settings, checked against the columns that hold them ({@code budget_limits},
 * and the same columns of {@code agent_executor_state}). The defaults are the seed's.
 */
public record BudgetLimits(int maxTokens, BigDecimal maxCostUsd, BigDecimal warningThreshold,
                           OnLimitReached onLimitReached) {

    public static final BudgetLimits SEED_DEFAULTS = new BudgetLimits(100_000, new BigDecimal("5.00"),
                                                                      new BigDecimal("0.80"), OnLimitReached.PAUSE);

    /** {@code DECIMAL(10,4)}: the column of {@code max_cost_usd}, {@code cost_limit} and {@code cost_incurred}. */
    public static BigDecimal requireCost(String field, BigDecimal value, boolean positive) {
        return Amounts.requireDecimal(field, value, 10, 4, BigDecimal.ZERO, positive);
    }

    /** {@code DECIMAL(3,2)}, above 0 and at most 1: a fraction of each limit. */
    public static BigDecimal requireThreshold(String field, BigDecimal value) {
        Amounts.requireDecimal(field, value, 3, 2, BigDecimal.ZERO, true);
        if (value.compareTo(BigDecimal.ONE) > 0) {
            throw dev.verity.command.platform.DomainException.badField("validation_failed", field, "must be at most 1");
        }
        return value;
    }

    /** The limits a request gave, each absent one taken from the seed's defaults. */
    static BudgetLimits of(Long maxTokens, BigDecimal maxCostUsd, BigDecimal warningThreshold,
                           OnLimitReached onLimitReached) {
        return new BudgetLimits(
                maxTokens == null ? SEED_DEFAULTS.maxTokens() : Amounts.requireInteger("maxTokens", maxTokens, 1),
                maxCostUsd == null ? SEED_DEFAULTS.maxCostUsd() : requireCost("maxCostUsd", maxCostUsd, true),
                warningThreshold == null ? SEED_DEFAULTS.warningThreshold()
                        : requireThreshold("warningThreshold", warningThreshold),
                onLimitReached == null ? SEED_DEFAULTS.onLimitReached() : onLimitReached);
    }

    /** Equal as amounts: 5.0 and 5.00 are the same limit. */
    boolean sameAs(BudgetLimits other) {
        return maxTokens == other.maxTokens && maxCostUsd.compareTo(other.maxCostUsd) == 0
               && warningThreshold.compareTo(other.warningThreshold) == 0 && onLimitReached == other.onLimitReached;
    }
}
