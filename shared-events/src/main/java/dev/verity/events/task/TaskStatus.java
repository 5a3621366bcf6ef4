package dev.verity.events.task;

import dev.verity.events.common.Wire;

import java.util.Locale;

public enum TaskStatus implements Wire {
    PENDING, IN_PROGRESS, BLOCKED, COMPLETED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
