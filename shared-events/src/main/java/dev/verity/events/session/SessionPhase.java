package dev.verity.events.session;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** Seed 001 {@code session_phase}, in the order a session moves through them (forward only). */
public enum SessionPhase implements Wire {
    OPENING, EXPLORATION, VALIDATION, CLOSING;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
