package dev.verity.command.kit;

import dev.verity.command.platform.DomainException;

import java.math.BigDecimal;

/**
 * A {@code NUMERIC(precision, scale)} column of the read model, as the command side checks an
 * amount bound for it: PostgreSQL would round a value with more decimals than {@code scale}, and
 * money that was reported must be stored exactly as reported, so such a value is refused instead.
 * Trailing zeros are not decimals that would be lost ({@code 1.5000000} is {@code 1.5}).
 */
record NumericColumn(int precision, int scale) {

    /** Seed 001 {@code kit_executions.estimated_cost_usd NUMERIC(10, 6)}. */
    static final NumericColumn COST_USD = new NumericColumn(10, 6);

    /**
     * @throws DomainException 400 {@code validation_failed} naming {@code field} when the amount is
     *                         negative, has more decimals than the column keeps, or too many digits
     */
    void requireFits(String field, BigDecimal amount) {
        if (amount == null) {
            return;
        }
        if (amount.signum() < 0) {
            throw DomainException.badField("validation_failed", field, "must not be negative");
        }
        BigDecimal exact = amount.stripTrailingZeros();
        if (exact.scale() > scale) {
            throw DomainException.badField("validation_failed", field, "must have at most " + scale
                    + " decimals; it is stored exactly, never rounded");
        }
        if (exact.precision() - exact.scale() > precision - scale) {
            throw DomainException.badField("validation_failed", field, "must be less than "
                    + BigDecimal.TEN.pow(precision - scale).toPlainString());
        }
    }
}
