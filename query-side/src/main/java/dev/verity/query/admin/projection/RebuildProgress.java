package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.SafeCauses;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How far one rebuild has come, written by the rebuild's thread and read by status requests.
 * Rates are averages since the replay began: steadier than a momentary rate, which jumps with
 * every batch.
 */
final class RebuildProgress {

    enum State {
        /** Filling shadow tables from the event store while the live processor keeps running. */
        REPLAYING,
        /** Live processor paused: reading the last events, then swapping tables and tokens. */
        SWAPPING,
        DONE,
        FAILED,
        CANCELLED;

        boolean active() {
            return this == REPLAYING || this == SWAPPING;
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The rebuild as the admin API shows it. */
    record Status(String projection, String state, Instant startedAt, Instant finishedAt, long position, long head,
                  long eventsReplayed, double percentDone, Double eventsPerSecond, Long estimatedSecondsLeft,
                  boolean cancelRequested, String error) {
    }

    private final String projection;
    private final Clock clock;
    private final Instant startedAt;
    private final long startedNanos = System.nanoTime();

    private volatile State state = State.REPLAYING;
    private volatile Instant finishedAt;
    private volatile long finishedNanos;
    private volatile long position;
    private volatile long head;
    private volatile long eventsReplayed;
    private volatile boolean cancelRequested;
    private volatile String safeError;
    private volatile String error;

    RebuildProgress(String projection, Clock clock) {
        this.projection = projection;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    State state() {
        return state;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    void advanced(long position, long head, long eventsReplayed) {
        this.position = position;
        this.head = head;
        this.eventsReplayed = eventsReplayed;
    }

    void swapping() {
        state = State.SWAPPING;
    }

    void done() {
        finish(State.DONE, null);
    }

    void cancelled() {
        finish(State.CANCELLED, null);
    }

    void failed(Throwable cause) {
        this.safeError = SafeCauses.describe(cause);
        finish(State.FAILED, cause.getClass().getSimpleName() + ": " + rootMessage(cause));
    }

    Status status() {
        return status(true);
    }

    /**
     * {@code withMessages} false leaves the error's exception messages out (classes and SQLState
     * only): a replay's failure quotes the row it could not write, which may be any tenant's, so
     * only a platform-wide caller sees them.
     */
    Status status(boolean withMessages) {
        long at = position;
        long of = Math.max(head, at);
        long until = state.active() ? System.nanoTime() : finishedNanos;
        double seconds = Duration.ofNanos(until - startedNanos).toMillis() / 1000.0;
        Double rate = seconds > 0 ? Math.round(eventsReplayed / seconds * 10) / 10.0 : null;
        double percent = state == State.DONE || of == 0 ? 100.0 : Math.floor(at * 1000.0 / of) / 10.0;
        Long left = null;
        if (state.active() && rate != null && rate > 0) {
            left = (long) Math.ceil((of - at) / rate);
        } else if (state == State.DONE) {
            left = 0L;
        }
        return new Status(projection, state.wire(), startedAt, finishedAt, at, of, eventsReplayed, percent,
                          rate, left, cancelRequested, withMessages || error == null ? error : safeError);
    }

    private void finish(State outcome, String error) {
        this.error = error;
        this.finishedAt = clock.instant();
        this.finishedNanos = System.nanoTime();
        this.state = outcome;
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage())
                             : cause.getMessage() + " (caused by " + root.getMessage() + ")";
    }
}
