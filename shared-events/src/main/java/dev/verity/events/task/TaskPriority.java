package dev.verity.events.task;

import dev.verity.events.common.Wire;

import java.util.Locale;

public enum TaskPriority implements Wire {
    LOW, MEDIUM, HIGH, CRITICAL;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
