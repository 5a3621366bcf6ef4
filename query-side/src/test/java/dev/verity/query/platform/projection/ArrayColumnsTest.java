package dev.verity.query.platform.projection;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Times written digit by digit into a replay's array literals read as the formatter the writer
 * used before wrote them (which {@code DeferredReplayTest} checks against PostgreSQL row by row):
 * for times across the whole range the command edge accepts, in any offset, with the
 * half-microsecond rounding pgjdbc applies.
 */
class ArrayColumnsTest {

    private static final DateTimeFormatter MICROSECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");

    @Test
    void time_isWrittenAsTheMicrosecondFormatterWritesIt_inUtc_roundedAsPgjdbcRounds() {
        Random random = new Random(10);
        List<OffsetDateTime> times = new ArrayList<>(List.of(
                OffsetDateTime.parse("0001-01-01T00:00:00Z"),
                OffsetDateTime.parse("9999-12-31T23:59:59.999999Z"),
                OffsetDateTime.parse("2026-03-01T10:00:00.000000500+02:00"),
                OffsetDateTime.parse("2026-12-31T23:59:59.999999500Z"),
                OffsetDateTime.parse("2026-03-01T10:00:00.000000499-05:30")));
        long first = Instant.parse("0001-01-02T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-30T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(first + (long) (random.nextDouble() * (last - first)),
                                                    random.nextInt(1_000_000_000));
            times.add(instant.atOffset(ZoneOffset.ofTotalSeconds((random.nextInt(36) - 18) * 3_600)));
        }
        for (OffsetDateTime time : times) {
            StringBuilder written = new StringBuilder();
            assertThat(ArrayColumns.time(written, time)).isTrue();
            OffsetDateTime rounded = time.getNano() % 1_000 > 499 ? time.plus(1, ChronoUnit.MICROS) : time;
            String expected = MICROSECONDS.format(rounded.truncatedTo(ChronoUnit.MICROS)
                                                         .withOffsetSameInstant(ZoneOffset.UTC));
            assertThat(written).as("%s", time).hasToString('"' + expected + '"');
        }
    }

    @Test
    void time_outsideYears1To9999_hasNoArrayForm() {
        assertThat(ArrayColumns.time(new StringBuilder(), OffsetDateTime.parse("+10000-01-01T00:00:00Z"))).isFalse();
        assertThat(ArrayColumns.time(new StringBuilder(), OffsetDateTime.parse("0000-12-31T23:59:59Z"))).isFalse();
    }

    @Test
    void of_quotesTextAndTimes_writesNumbersAndBooleansBare_andNullsAsNull() {
        List<List<Object>> rows = List.of(Arrays.<Object>asList("a \"b\" \\c", 7L, 3, true, null),
                                          Arrays.<Object>asList("", Long.MIN_VALUE, (short) -2, false, "x"));

        assertThat(ArrayColumns.of(rows, 5)).contains(List.of("{\"a \\\"b\\\" \\\\c\",\"\"}",
                                                              "{7,-9223372036854775808}", "{3,-2}",
                                                              "{true,false}", "{NULL,\"x\"}"));
        assertThat(ArrayColumns.of(List.of(List.<Object>of(1.5d)), 1)).as("a double goes row by row").isEmpty();
    }
}
