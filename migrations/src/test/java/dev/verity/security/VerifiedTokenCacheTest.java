package dev.verity.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokenCacheTest {

    private static final String SECRET = "verified-token-cache-test-secret-32-bytes!";

    private final AtomicInteger decodes = new AtomicInteger();
    private final JwtDecoder nimbus = NimbusJwtDecoder
            .withSecretKey(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
            .macAlgorithm(MacAlgorithm.HS256).build();
    private final JwtDecoder counting = token -> {
        decodes.incrementAndGet();
        return nimbus.decode(token);
    };

    @Test
    void decode_verifiesOnce_whenTheSameTokenComesAgain() {
        VerifiedTokenCache cache = new VerifiedTokenCache(counting);
        String token = token(SECRET, Instant.now().plus(Duration.ofHours(1)));

        Jwt first = cache.decode(token);
        Jwt second = cache.decode(token);

        assertThat(second).isSameAs(first);
        assertThat(second.getClaimAsString("tenant_id")).isEqualTo("tenant-a");
        assertThat(decodes).hasValue(1);
    }

    @Test
    void decode_refusesAKnownToken_onceItHasExpired() {
        Instant expires = Instant.now().plus(Duration.ofMinutes(5));
        MovableClock clock = new MovableClock(Instant.now());
        VerifiedTokenCache cache = new VerifiedTokenCache(token -> {
            decodes.incrementAndGet();
            if (clock.instant().minus(Duration.ofSeconds(60)).isAfter(expires)) {
                throw new JwtException("expired");
            }
            return nimbus.decode(token);
        }, 100, clock);
        String token = token(SECRET, expires);
        cache.decode(token);

        clock.now = expires.plus(Duration.ofSeconds(61));

        assertThatThrownBy(() -> cache.decode(token)).isInstanceOf(JwtException.class);
        assertThat(decodes).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void decode_neverRemembersARefusedToken() {
        VerifiedTokenCache cache = new VerifiedTokenCache(counting);
        String forged = token("another-secret-that-is-also-32-bytes-long!", Instant.now().plus(Duration.ofHours(1)));

        assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(JwtException.class);

        assertThat(decodes).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void decode_goesToTheDelegate_forAStringThatDiffersFromAKnownToken() {
        VerifiedTokenCache cache = new VerifiedTokenCache(counting);
        String token = token(SECRET, Instant.now().plus(Duration.ofHours(1)));
        cache.decode(token);
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");

        assertThatThrownBy(() -> cache.decode(tampered)).isInstanceOf(JwtException.class);
        assertThat(decodes).hasValue(2);
    }

    @Test
    void decode_startsOver_whenFull() {
        VerifiedTokenCache cache = new VerifiedTokenCache(counting, 2, Clock.systemUTC());
        Instant expires = Instant.now().plus(Duration.ofHours(1));
        cache.decode(token(SECRET, expires));
        cache.decode(token(SECRET, expires.plusSeconds(1)));

        cache.decode(token(SECRET, expires.plusSeconds(2)));

        assertThat(cache.size()).isEqualTo(1);
    }

    private static String token(String secret, Instant expiresAt) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject("user-1").claim("tenant_id", "tenant-a").claim("scope", "read write")
                    .issueTime(Date.from(expiresAt.minus(Duration.ofHours(2))))
                    .expirationTime(Date.from(expiresAt)).build());
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MovableClock extends Clock {

        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
