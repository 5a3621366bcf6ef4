package dev.verity.events.task;

import dev.verity.events.common.Wire;

import java.util.Locale;

public enum StepStatus implements Wire {
    PENDING, EXECUTING, COMPLETED, FAILED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
