package dev.verity.query.platform.web;

import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * {@code ?minVersion=N}: a client that just got version N back from a command reads its own
 * write by waiting until the projection has applied it. Each look is a fresh read (its own
 * short transaction), so no connection is held while waiting.
 * <p>
 * With a minimum version, a record that does not exist yet is treated as not caught up either
 * (its creation may still be on its way), so both end in 504 {@code stale_read_model}, never 404.
 */
@Component
public class ReadYourWrites {

    private final Duration timeout;
    private final Duration pollInterval;

    ReadYourWrites(QueryProperties properties) {
        this.timeout = properties.minVersionTimeout();
        this.pollInterval = properties.minVersionPollInterval();
    }

    /**
     * Reads once when {@code minVersion} is null; otherwise reads until the record's version is
     * at least {@code minVersion}, or fails with {@code stale_read_model} when the time is up.
     */
    public <T> Optional<T> read(Long minVersion, Supplier<Optional<T>> read, ToLongFunction<T> version) {
        if (minVersion == null) {
            return read.get();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> found = read.get();
            if (found.isPresent() && version.applyAsLong(found.get()) >= minVersion) {
                return found;
            }
            if (System.nanoTime() >= deadline) {
                throw ProblemException.staleReadModel(minVersion);
            }
            pause();
        }
    }

    private void pause() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the read model", e);
        }
    }
}
