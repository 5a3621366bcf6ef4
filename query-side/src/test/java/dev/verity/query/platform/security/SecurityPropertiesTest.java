package dev.verity.query.platform.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecurityPropertiesTest {

    @Test
    void secret_isRefused_whenShorterThan32Bytes() {
        assertThatThrownBy(() -> new SecurityProperties("too-short")).isInstanceOf(IllegalStateException.class)
                                                                      .hasMessageContaining("jwt-secret");
        assertThatThrownBy(() -> new SecurityProperties(null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void secret_isAccepted_from32Bytes() {
        assertThat(new SecurityProperties("x".repeat(32)).keyBytes()).hasSize(32);
    }
}
