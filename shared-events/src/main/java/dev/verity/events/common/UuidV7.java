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
        // One draw for both random fields: each DRBG call pays a fixed cost (hashing, reseed check).
        byte[] random = new byte[10];
        RANDOM.get().nextBytes(random);
        long randA = ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
        long randB = 0;
        for (int i = 2; i < 10; i++) {
            randB = (randB << 8) | (random[i] & 0xFFL);
        }
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
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
