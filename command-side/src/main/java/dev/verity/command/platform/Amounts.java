package dev.verity.command.platform;

import java.math.BigDecimal;

/**
 * Numbers a read-model column must hold exactly. Money is {@code DECIMAL(p,s)} in the seed: a value
 * with more decimals than the column keeps would be rounded by PostgreSQL, and one with more
 * integer digits would fail to project for ever, so both are a 400 naming the field before any
 * event exists. Never rounded, never a double.
 */
public final class Amounts {

    /** {@code INTEGER}'s largest value: token counts and limits are INTEGER columns. */
    public static final long MAX_INTEGER = Integer.MAX_VALUE;

    private static final String CODE = "validation_failed";

    private Amounts() {
    }

    /**
     * @throws DomainException 400 naming {@code field} when {@code value} does not fit {@code DECIMAL(precision, scale)}
     *                         or is below {@code min} (or at it, when {@code minExclusive})
     */
    public static BigDecimal requireDecimal(String field, BigDecimal value, int precision, int scale, BigDecimal min,
                                            boolean minExclusive) {
        if (value == null) {
            throw DomainException.badField(CODE, field, "is required");
        }
        BigDecimal plain = value.stripTrailingZeros();
        if (plain.scale() > scale) {
            throw DomainException.badField(CODE, field, "must have at most " + scale + " decimal places");
        }
        if (plain.precision() - plain.scale() > precision - scale) {
            throw DomainException.badField(CODE, field, "must be below " + BigDecimal.TEN.pow(precision - scale));
        }
        int comparison = value.compareTo(min);
        if (comparison < 0 || minExclusive && comparison == 0) {
            throw DomainException.badField(CODE, field, "must be " + (minExclusive ? "greater than " : "at least ")
                                                        + min.toPlainString());
        }
        return value;
    }

    /** A count that an {@code INTEGER} column holds: {@code min} to 2,147,483,647. */
    public static int requireInteger(String field, Long value, long min) {
        if (value == null) {
            throw DomainException.badField(CODE, field, "is required");
        }
        if (value < min || value > MAX_INTEGER) {
            throw DomainException.badField(CODE, field, "must be between " + min + " and " + MAX_INTEGER);
        }
        return value.intValue();
    }
}
