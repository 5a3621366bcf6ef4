package dev.verity.events.task;

import dev.verity.events.common.Wire;

import java.util.Locale;

public enum AssigneeType implements Wire {
    USER, AGENT;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
