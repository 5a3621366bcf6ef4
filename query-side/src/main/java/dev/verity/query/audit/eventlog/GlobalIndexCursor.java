package dev.verity.query.audit.eventlog;

import dev.verity.query.platform.web.RequestValidationException;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * Keyset cursor of the event listing: the last global index of a page as 8 bytes, base64url.
 * Opaque like the task list's cursors; anything that does not decode is a 400 on {@code cursor}.
 */
final class GlobalIndexCursor {

    private static final String FIELD = "cursor";

    private GlobalIndexCursor() {
    }

    static String encode(long globalIndex) {
        return Base64.getUrlEncoder().withoutPadding()
                     .encodeToString(ByteBuffer.allocate(Long.BYTES).putLong(globalIndex).array());
    }

    /** The global index after which the next page starts, or null for the first page. */
    static Long decode(String cursor) {
        if (cursor == null) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw notACursor();
        }
        if (bytes.length != Long.BYTES) {
            throw notACursor();
        }
        long globalIndex = ByteBuffer.wrap(bytes).getLong();
        if (globalIndex < 0) {
            throw notACursor();
        }
        return globalIndex;
    }

    private static RequestValidationException notACursor() {
        return new RequestValidationException(FIELD, "is not a cursor this API returned");
    }
}
