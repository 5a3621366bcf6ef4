package dev.verity.command.platform.web;

import dev.verity.events.common.UuidV7;
import dev.verity.events.common.Wire;

import java.util.UUID;

/** Reading request fields into command values, the same way in every command controller. */
public final class RequestValues {

    private RequestValues() {
    }

    /** @return the id the client chose for what it creates (so that it can retry safely), else a new one */
    public static UUID idOrNew(UUID requested) {
        return requested != null ? requested : UuidV7.generate();
    }

    /**
     * @return the enum constant spelled {@code value} on the wire, or null when absent
     * @throws RequestValidationException naming {@code field} for a spelling the enum does not have
     */
    public static <E extends Enum<E> & Wire> E wire(Class<E> type, String field, String value) {
        if (value == null) {
            return null;
        }
        return Wire.parse(type, value)
                   .orElseThrow(() -> new RequestValidationException(field, "is not a valid " + type.getSimpleName()));
    }
}
