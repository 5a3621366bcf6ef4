package dev.verity.events.common;

import dev.verity.events.task.TaskStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class UuidV7Test {

    @Test
    void generate_isVersion7AndVariant2() {
        UUID id = UuidV7.generate();

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void generate_sortsByCreationTime_acrossMilliseconds() {
        UUID earlier = UuidV7.generate(Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC));
        UUID later = UuidV7.generate(Clock.fixed(Instant.ofEpochMilli(2_000), ZoneOffset.UTC));

        assertThat(earlier.toString()).isLessThan(later.toString());
        assertThat(earlier.getMostSignificantBits() >>> 16).isEqualTo(1_000L);
    }

    @Test
    void parse_matchesWireSpelling_caseInsensitively() {
        assertThat(Wire.parse(TaskStatus.class, "In_Progress")).contains(TaskStatus.IN_PROGRESS);
        assertThat(Wire.parse(TaskStatus.class, "IN-PROGRESS")).isEmpty();
        assertThat(Wire.parse(TaskStatus.class, null)).isEmpty();
    }
}
