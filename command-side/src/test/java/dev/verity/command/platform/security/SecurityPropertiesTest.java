package dev.verity.command.platform.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecurityPropertiesTest {

    @Test
    void secret_isRefused_whenMissingOrShorterThan32Bytes() {
        assertThatThrownBy(() -> new SecurityProperties(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("VERITY_SECURITY_JWT_SECRET");
        assertThatThrownBy(() -> new SecurityProperties("x".repeat(31))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void secret_isAccepted_at32Bytes_countingUtf8Bytes() {
        assertThat(new SecurityProperties("x".repeat(32)).keyBytes()).hasSize(32);
        assertThat(new SecurityProperties("é".repeat(16)).keyBytes()).hasSize(32);
    }
}
