package dev.verity.store;

import java.lang.management.ManagementFactory;
import java.util.UUID;

/**
 * The name under which this application context claims segments in the token store (Axon's
 * {@code owner} column) and, on the query side, announces itself as a query node. Axon's default,
 * the JVM's {@code pid@host}, is one name for every context in a JVM: two contexts (a test suite
 * keeps several alive at once) would then each take the other's claims for their own and process
 * the same segments side by side. A short random suffix keeps the {@code pid@host} prefix readable
 * in the token store while making each context a node of its own.
 *
 * @param id what this context writes as the owner of the segments it claims
 */
public record NodeIdentity(String id) {

    public static NodeIdentity forThisContext() {
        return new NodeIdentity(ManagementFactory.getRuntimeMXBean().getName() + "/"
                                + UUID.randomUUID().toString().substring(0, 8));
    }
}
