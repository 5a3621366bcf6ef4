package dev.verity.store;

import org.axonframework.common.IdentifierFactory;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Axon's message and event identifiers (random version 4 UUIDs, as Axon's default makes them)
 * from one DRBG per thread. Axon's default calls {@link UUID#randomUUID()}, whose single
 * NativePRNG reads /dev/urandom under one JVM-wide lock: in a 32-client create burst request
 * threads spent seconds blocked on it. Found by Axon through
 * {@code META-INF/services/org.axonframework.common.IdentifierFactory}.
 */
public final class DrbgIdentifierFactory extends IdentifierFactory {

    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(DrbgIdentifierFactory::newGenerator);

    @Override
    public String generateIdentifier() {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40); // version 4
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (bytes[i] & 0xff);
            lsb = (lsb << 8) | (bytes[i + 8] & 0xff);
        }
        return new UUID(msb, lsb).toString();
    }

    private static SecureRandom newGenerator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
