package dev.verity.command.platform;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretGuardTest {

    @Test
    void requireNoSecrets_rejectsCredentialKeys_atAnyDepth() {
        assertThatThrownBy(() -> SecretGuard.requireNoSecrets("metadata",
                Map.of("integrations", List.of(Map.of("name", "crm", "api_key", "k")))))
                .isInstanceOf(DomainException.class)
                .hasMessageContaining("metadata.integrations[0].api_key")
                .extracting(e -> ((DomainException) e).code()).isEqualTo("secret_rejected");
    }

    @Test
    void requireNoSecrets_rejectsSecretShapedValues_underInnocentKeys() {
        for (String value : List.of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
                                    "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
                                    "Bearer abcdefghijklmnopqrstuvwxyz",
                                    "AKIAIOSFODNN7EXAMPLE",
                                    "ghp_abcdefghijklmnopqrstuvwxyz0123456789")) {
            assertThatThrownBy(() -> SecretGuard.requireNoSecrets("config", Map.of("note", value)))
                    .as(value).isInstanceOf(DomainException.class);
        }
    }

    @Test
    void requireNoSecrets_allowsOrdinaryData() {
        assertThatNoException().isThrownBy(() -> SecretGuard.requireNoSecrets("metadata",
                Map.of("title", "Rotate the tokens next week", "count", 3, "tags", List.of("ops"),
                       "tokenizer", Map.of())));
    }

    @Test
    void requireNoSecrets_allowsACredentialKeyWithoutValue() {
        assertThatNoException().isThrownBy(() -> SecretGuard.requireNoSecrets("metadata",
                java.util.Collections.singletonMap("password", null)));
    }
}
