package dev.verity.query.platform.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * {@code ?minVersion=N}: a client that just got version N back from a command reads its own
 * write by waiting until the projection has applied it.
 * <p>
 * A wait holds no request thread and no connection: the controller returns a future (Servlet
 * async), and one scheduler thread looks after every wait. Each round it asks for the versions
 * of all waited-for records in one query per tenant ({@link Versions}), re-reads in full only
 * the records that have reached their version, then rests {@code min-version-poll-interval}.
 * So a crowd of waiters costs one thread and a query or two per round, and never delays anyone
 * else's read (it used to: 250 sleeping waiters took every Tomcat thread). Beyond
 * {@code min-version-max-waiters} a new wait is refused with 503 {@code too_many_waiters}.
 * <p>
 * With a minimum version, a record that does not exist yet is treated as not caught up either
 * (its creation may still be on its way), so both end in 504 {@code stale_read_model}, never 404.
 */
@Component
public class ReadYourWrites implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ReadYourWrites.class);

    private final Duration timeout;
    private final int maxWaiters;
    private final Set<Waiter<?>> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "read-your-writes");
        thread.setDaemon(true);
        return thread;
    });

    ReadYourWrites(QueryProperties properties) {
        this.timeout = properties.minVersionTimeout();
        this.maxWaiters = properties.minVersionMaxWaiters();
        long pollMillis = Math.max(1, properties.minVersionPollInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::lookAgain, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The current versions of many records of one tenant, in one look; a record missing from the
     * answer does not exist (yet). Only decides when a full read is worth it: what the caller
     * gets is always what {@code read} returns. Waits are grouped by instance, so pass the same
     * one every time (a field, not a fresh method reference per request).
     */
    @FunctionalInterface
    public interface Versions {
        Map<UUID, Long> of(UUID tenantId, Collection<UUID> ids);
    }

    /**
     * Reads once when {@code minVersion} is null or already reached (the future is then already
     * complete); otherwise the future completes once the record's version is at least
     * {@code minVersion}, or fails with {@code stale_read_model} when the time is up.
     *
     * @throws ProblemException {@code too_many_waiters} when the wait would exceed the bound
     */
    public <T> CompletableFuture<Optional<T>> read(Long minVersion, Versions versions, UUID tenantId, UUID id,
                                                   Supplier<Optional<T>> read, ToLongFunction<T> version) {
        Optional<T> found = read.get();
        if (minVersion == null || reached(found, minVersion, version)) {
            return CompletableFuture.completedFuture(found);
        }
        if (waiting.incrementAndGet() > maxWaiters) {
            waiting.decrementAndGet();
            throw ProblemException.tooManyWaiters(maxWaiters);
        }
        Waiter<T> waiter = new Waiter<>(new Source(versions, tenantId), id, minVersion, read, version,
                                        System.nanoTime() + timeout.toNanos());
        waiters.add(waiter);
        return waiter.result;
    }

    /** Reads waiting right now; what the bound counts. */
    public int waiting() {
        return waiting.get();
    }

    private void lookAgain() {
        Map<Source, List<Waiter<?>>> bySource = waiters.stream().collect(Collectors.groupingBy(w -> w.source));
        bySource.forEach((source, group) -> {
            Map<UUID, Long> current;
            try {
                current = source.versions().of(source.tenantId(), group.stream().map(w -> w.id).distinct().toList());
            } catch (RuntimeException e) {
                LOG.warn("Looking up versions for {} waiting reads failed; trying again next round", group.size(), e);
                current = Map.of();
            }
            for (Waiter<?> waiter : group) {
                lookAgain(waiter, current.get(waiter.id));
            }
        });
    }

    private void lookAgain(Waiter<?> waiter, Long current) {
        boolean done;
        try {
            done = waiter.lookAgain(current);
        } catch (RuntimeException e) {
            // One failing read fails its own request, never the scheduler (which would stop every wait).
            LOG.warn("A read waiting for minVersion {} failed", waiter.minVersion, e);
            waiter.result.completeExceptionally(e);
            done = true;
        }
        if (done && waiters.remove(waiter)) {
            waiting.decrementAndGet();
        }
    }

    private static <T> boolean reached(Optional<T> found, long minVersion, ToLongFunction<T> version) {
        return found.isPresent() && version.applyAsLong(found.get()) >= minVersion;
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }

    /** Waits are grouped by where their versions come from and whose records they are: one look per group. */
    private record Source(Versions versions, UUID tenantId) {
    }

    private static final class Waiter<T> {

        private final Source source;
        private final UUID id;
        private final long minVersion;
        private final Supplier<Optional<T>> read;
        private final ToLongFunction<T> version;
        private final long deadline;
        private final CompletableFuture<Optional<T>> result = new CompletableFuture<>();

        private Waiter(Source source, UUID id, long minVersion, Supplier<Optional<T>> read, ToLongFunction<T> version,
                       long deadline) {
            this.source = source;
            this.id = id;
            this.minVersion = minVersion;
            this.read = read;
            this.version = version;
            this.deadline = deadline;
        }

        /** True once the wait is over, whichever way; reads in full only when {@code current} says it is worth it. */
        private boolean lookAgain(Long current) {
            if (result.isDone()) {
                return true;
            }
            if (current != null && current >= minVersion) {
                Optional<T> found = read.get();
                if (reached(found, minVersion, version)) {
                    result.complete(found);
                    return true;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                result.completeExceptionally(ProblemException.staleReadModel(minVersion));
                return true;
            }
            return false;
        }
    }
}
