package dev.verity.query.platform.web;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * Keyset-pagination cursors over UUID keys: the last id of a page as 16 bytes, base64url. Opaque
 * to clients so the encoding can change; anything that does not decode is a 400 on {@code cursor}.
 */
public final class UuidCursor {

    private static final String FIELD = "cursor";

    private UuidCursor() {
    }

    public static String encode(UUID id) {
        ByteBuffer bytes = ByteBuffer.allocate(16)
                                     .putLong(id.getMostSignificantBits())
                                     .putLong(id.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** The id after which the next page starts, or null for the first page. */
    public static UUID decode(String cursor) {
        if (cursor == null) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new RequestValidationException(FIELD, "is not a cursor this API returned");
        }
        if (bytes.length != 16) {
            throw new RequestValidationException(FIELD, "is not a cursor this API returned");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
