package dev.verity.store;

import org.axonframework.common.IdentifierFactory;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class DrbgIdentifierFactoryTest {

    @Test
    void axon_findsTheFactory_throughTheServiceFile() {
        assertThat(IdentifierFactory.getInstance()).isInstanceOf(DrbgIdentifierFactory.class);
    }

    @Test
    void generateIdentifier_givesDistinctVersion4Uuids() {
        DrbgIdentifierFactory factory = new DrbgIdentifierFactory();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = factory.generateIdentifier();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
