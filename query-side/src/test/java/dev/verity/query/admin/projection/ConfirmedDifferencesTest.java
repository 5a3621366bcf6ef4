package dev.verity.query.admin.projection;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ConfirmedDifferencesTest {

    private final ConfirmedDifferences<String> confirmed = new ConfirmedDifferences<>(3, Duration.ofMillis(1));
    private final AtomicInteger comparisons = new AtomicInteger();

    @Test
    void aMatchOnTheFirstComparison_isReportedWithoutAnother() {
        assertThat(confirmed.compare(results("ok"), "ok"::equals)).isEqualTo("ok");
        assertThat(comparisons).hasValue(1);
    }

    @Test
    void aDifferenceGoneByTheNextComparison_isNotReported() {
        assertThat(confirmed.compare(results("differs", "ok"), "ok"::equals)).isEqualTo("ok");
        assertThat(comparisons).hasValue(2);
    }

    @Test
    void aDifferenceInEveryComparison_isReportedFromTheLastOne() {
        assertThat(confirmed.compare(results("first", "second", "third", "never asked"), "ok"::equals))
                .isEqualTo("third");
        assertThat(comparisons).hasValue(3);
    }

    @Test
    void oneAttempt_comparesOnce() {
        ConfirmedDifferences<String> once = new ConfirmedDifferences<>(1, Duration.ZERO);
        assertThat(once.compare(results("differs", "ok"), "ok"::equals)).isEqualTo("differs");
        assertThat(comparisons).hasValue(1);
    }

    private java.util.function.Supplier<String> results(String... results) {
        Iterator<String> next = List.of(results).iterator();
        return () -> {
            comparisons.incrementAndGet();
            return next.next();
        };
    }
}
