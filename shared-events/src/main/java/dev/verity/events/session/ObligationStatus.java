package dev.verity.events.session;

import dev.verity.events.common.Wire;

import java.util.Locale;

/**
 * Seed 001's {@code obligation_status} ENUM. {@code satisfied} and {@code skipped} are final;
 * {@code skipped} obligations (merged, split or dropped) do not count towards completeness.
 */
public enum ObligationStatus implements Wire {
    PENDING, PARTIAL, SATISFIED, DEFERRED, SKIPPED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == SATISFIED || this == SKIPPED;
    }

    /** Still to be collected: a session cannot complete while one of its obligations is so. */
    public boolean isOutstanding() {
        return this == PENDING || this == PARTIAL;
    }
}
