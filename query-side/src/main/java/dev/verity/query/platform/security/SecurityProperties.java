package dev.verity.query.platform.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.charset.StandardCharsets;

/**
 * {@code verity.security.jwt-secret}: the HS256 key, as UTF-8 bytes, shared with the command side.
 * Refusing to start with a short or missing secret is deliberate: a weak key makes every tenant
 * boundary forgeable.
 */
@ConfigurationProperties("verity.security")
record SecurityProperties(String jwtSecret) {

    static final int MINIMUM_SECRET_BYTES = 32;

    SecurityProperties {
        if (jwtSecret == null || jwtSecret.getBytes(StandardCharsets.UTF_8).length < MINIMUM_SECRET_BYTES) {
            throw new IllegalStateException("verity.security.jwt-secret (VERITY_SECURITY_JWT_SECRET) must be set to at least "
                    + MINIMUM_SECRET_BYTES + " bytes; ./verity up generates one in .verity/jwt-secret");
        }
    }

    byte[] keyBytes() {
        return jwtSecret.getBytes(StandardCharsets.UTF_8);
    }
}
