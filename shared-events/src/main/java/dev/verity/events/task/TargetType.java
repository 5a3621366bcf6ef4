package dev.verity.events.task;

import dev.verity.events.common.Wire;

import java.util.Locale;

public enum TargetType implements Wire {
    QUESTION, FEATURE, SPEC_SECTION;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
