package dev.verity.query.admin.projection;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Reports a difference only when it is still there after {@code attempts} comparisons, each at a
 * snapshot of its own.
 * <p>
 * A tenant's verification pauses no processor, so it relies on the processors' stored tokens
 * saying exactly which events the live rows reflect. They may say less for a moment: when a
 * pooled processor reopens its event stream (a segment claimed, a work package restarted, after
 * every rebuild) each segment starts again from the lowest token of all, re-applies what it had
 * already applied and stores that lower token until it catches up. Rows are then ahead of their
 * token, and a comparison made right then shows rows the covered events do not explain, none of
 * which is wrong. Such a state passes within a batch or two; a row that truly differs from the
 * log (tampered, lost, parked) differs in every comparison and is reported from the last one.
 */
final class ConfirmedDifferences<T> {

    private final int attempts;
    private final Duration delay;

    ConfirmedDifferences(int attempts, Duration delay) {
        this.attempts = Math.max(1, attempts);
        this.delay = delay;
    }

    /** The first result {@code ok} accepts, or the last one made. */
    T compare(Supplier<T> comparison, Predicate<T> ok) {
        T result = comparison.get();
        for (int attempt = 1; attempt < attempts && !ok.test(result); attempt++) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result;
            }
            result = comparison.get();
        }
        return result;
    }
}
