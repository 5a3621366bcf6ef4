package dev.verity.events.execution;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** Which of an execution's two limits a warning or an excess is about. */
public enum BudgetLimit implements Wire {
    TOKENS, COST;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
