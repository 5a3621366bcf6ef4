package dev.verity.query;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/** HS256 tokens as {@code ./verity token} mints them, plus the broken kinds the API must refuse. */
public final class TestTokens {

    private TestTokens() {
    }

    public static String read(UUID tenantId) {
        return token(QuerySideTest.JWT_SECRET, tenantId, "read", Instant.now().plus(Duration.ofMinutes(10)));
    }

    public static String token(String secret, UUID tenantId, String scope, Instant expiresAt) {
        return token(secret, tenantId.toString(), scope, expiresAt);
    }

    public static String token(String secret, String tenantClaim, String scope, Instant expiresAt) {
        return token(secret, EventStreams.ACTOR_ID, tenantClaim, scope, expiresAt);
    }

    public static String withSubject(String subject, UUID tenantId, String scope) {
        return token(QuerySideTest.JWT_SECRET, subject, tenantId.toString(), scope,
                     Instant.now().plus(Duration.ofMinutes(10)));
    }

    private static String token(String secret, String subject, String tenantClaim, String scope, Instant expiresAt) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .claim("tenant_id", tenantClaim)
                .claim("scope", scope)
                .issueTime(Date.from(expiresAt.minus(Duration.ofHours(1))))
                .expirationTime(Date.from(expiresAt))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
