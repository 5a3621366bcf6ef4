package dev.verity.command.platform.idempotency;

import java.security.MessageDigest;

/** The first answer to an idempotent request, replayed to its retries. */
record StoredResponse(byte[] fingerprint, int status, String contentType, String body, String etag, String location) {

    boolean matches(byte[] requestFingerprint) {
        return MessageDigest.isEqual(fingerprint, requestFingerprint);
    }
}
