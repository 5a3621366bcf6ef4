package dev.verity.events.common;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Enums whose wire spelling (JSON, SQL) differs from their Java name, e.g. {@code in_progress}.
 * Events store the Java name so a spelling change never rewrites history.
 */
public interface Wire {

    String wire();

    static <E extends Enum<E> & Wire> Optional<E> parse(Class<E> type, String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(type.getEnumConstants())
                     .filter(e -> e.wire().toLowerCase(Locale.ROOT).equals(wanted))
                     .findFirst();
    }
}
