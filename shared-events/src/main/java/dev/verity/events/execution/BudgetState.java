package dev.verity.events.execution;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** Where an execution's usage stands against its limits: below the warning threshold, past it, or at a limit. */
public enum BudgetState implements Wire {
    OK, WARNING, EXCEEDED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
