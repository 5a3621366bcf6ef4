package dev.verity.events.kit;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** Seed 001 {@code kit_executions.status}: pending, then running, then completed, failed or partial. */
public enum KitExecutionStatus implements Wire {
    PENDING, RUNNING, COMPLETED, FAILED, PARTIAL;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Completed, failed and partial runs are over: nothing changes them any more. */
    public boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == PARTIAL;
    }
}
