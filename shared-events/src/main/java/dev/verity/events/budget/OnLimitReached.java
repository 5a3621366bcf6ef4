package dev.verity.events.budget;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** What happens to an agent execution when its usage reaches one of its limits (seed {@code on_limit_reached}). */
public enum OnLimitReached implements Wire {
    PAUSE, FAIL, WARN;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
