package dev.verity.command.platform;

import dev.verity.command.platform.web.IfMatch;
import dev.verity.command.platform.web.RequestValidationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IfMatchTest {

    @Test
    void expectedVersion_readsQuotedWeakAndBareTags() {
        assertThat(IfMatch.expectedVersion("\"3\"")).isEqualTo(3L);
        assertThat(IfMatch.expectedVersion("W/\"12\"")).isEqualTo(12L);
        assertThat(IfMatch.expectedVersion("7")).isEqualTo(7L);
    }

    @Test
    void expectedVersion_isNull_whenAbsentOrAny() {
        assertThat(IfMatch.expectedVersion(null)).isNull();
        assertThat(IfMatch.expectedVersion("*")).isNull();
    }

    @Test
    void expectedVersion_rejectsAnythingElse() {
        assertThatThrownBy(() -> IfMatch.expectedVersion("\"abc\"")).isInstanceOf(RequestValidationException.class);
        assertThatThrownBy(() -> IfMatch.expectedVersion("\"1\", \"2\"")).isInstanceOf(RequestValidationException.class);
    }
}
