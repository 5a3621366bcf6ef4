package dev.verity.events.execution;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** Seed 001 {@code agent_executor_state.status}. */
public enum ExecutionStatus implements Wire {
    PENDING, RUNNING, PAUSED, COMPLETED, FAILED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
