package dev.verity.events.kit;

import dev.verity.events.common.Wire;

import java.util.Locale;

/** Seed 001 {@code kit_execution_outputs.status}: how one output file fared in validation. */
public enum KitOutputStatus implements Wire {
    VALID, WARNINGS, FAILED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
