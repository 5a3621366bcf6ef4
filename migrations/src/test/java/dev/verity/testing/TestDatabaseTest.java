package dev.verity.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestDatabaseTest {

    @Test
    void fromUrl_splitsCredentialsOutOfTheQuery() {
        TestDatabase.Connection connection = TestDatabase.fromUrl(
                "jdbc:postgresql://127.0.0.1:5432/verity_test?user=verity&password=p%40ss&sslmode=disable");

        assertThat(connection.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/verity_test?sslmode=disable");
        assertThat(connection.username()).isEqualTo("verity");
        assertThat(connection.password()).isEqualTo("p@ss");
    }

    @Test
    void fromUrl_keepsAUrlWithoutQuery() {
        TestDatabase.Connection connection = TestDatabase.fromUrl("jdbc:postgresql://db:5432/x");

        assertThat(connection.url()).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(connection.username()).isNull();
    }
}
