package dev.verity.events.common;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * RFC 9562 version 7 UUIDs: a millisecond timestamp up front, so ids sort by creation time and
 * index pages stay warm, with 74 random bits behind it.
 */
public final class UuidV7 {

    /**
     * One generator per thread: the default SecureRandom here (NativePRNG) reads /dev/urandom
     * under a lock shared by the whole JVM, and request threads queued on it under load. A DRBG
     * instance is as strong, seeded from the system's entropy once, and locks only itself.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(UuidV7::newGenerator);

    private UuidV7() {
    }

    public static UUID generate() {
        return generate(Clock.systemUTC());
    }

    static UUID generate(Clock clock) {
        long millis = clock.millis();
        SecureRandom random = RANDOM.get();
        long randA = random.nextInt(1 << 12);
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    private static SecureRandom newGenerator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
