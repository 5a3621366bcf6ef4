package dev.verity.events.session;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** An elicitation session is open until it is completed or abandoned; both are final. */
public enum SessionStatus implements Wire {
    ACTIVE, COMPLETED, ABANDONED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
