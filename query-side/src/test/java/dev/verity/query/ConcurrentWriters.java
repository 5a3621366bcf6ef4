package dev.verity.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Load as production sees it: {@code threads} writers, each appending in its own transaction and
 * committing after a random pause, so global indexes are handed out in one order and become
 * visible in another. That is what makes a tracking token's index differ from an event's own and
 * leaves gaps for the processors to fill. Each writer creates tasks and reassigns its own ones,
 * so no two writers ever race on one aggregate.
 */
public final class ConcurrentWriters implements AutoCloseable {

    public static final int THREADS = 16;
    private static final Duration MAX_COMMIT_DELAY = Duration.ofMillis(15);

    private final EventStreams events;
    private final TransactionTemplate transactions;
    private final UUID tenant;
    private final UUID project;
    private final Map<UUID, Long> versions = new ConcurrentHashMap<>();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    public ConcurrentWriters(EventStreams events, PlatformTransactionManager transactionManager, UUID tenant,
                             UUID project) {
        this.events = events;
        this.transactions = new TransactionTemplate(transactionManager);
        this.tenant = tenant;
        this.project = project;
    }

    /**
     * Starts {@link #THREADS} writers that end by themselves after {@code transactionsEach} each
     * ({@link #stop()} ends them sooner). Bounded, because on a small machine an endless load
     * outruns any replay that has to catch up with it.
     */
    public ConcurrentWriters start(int transactionsEach) {
        return start(transactionsEach, Duration.ZERO);
    }

    /** As {@link #start(int)}, each writer pausing up to {@code pause} between its transactions. */
    public ConcurrentWriters start(int transactionsEach, Duration pause) {
        for (int i = 0; i < THREADS; i++) {
            Thread thread = new Thread(() -> write(transactionsEach, pause), "test-concurrent-writer-" + i);
            threads.add(thread);
            thread.start();
        }
        return this;
    }

    /** Stops the writers and waits for their last transactions to end; rethrows a writer's failure. */
    public void stop() throws InterruptedException {
        stop = true;
        awaitDone();
    }

    /** Waits until every writer has ended (bounded writers end by themselves); rethrows a writer's failure. */
    public void awaitDone() throws InterruptedException {
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("A concurrent writer failed", failure.get());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public long appended() {
        return appended.get();
    }

    /** The last committed version of every task written so far. */
    public Map<UUID, Long> versions() {
        return Map.copyOf(versions);
    }

    private void write(int count, Duration pause) {
        List<UUID> mine = new ArrayList<>();
        try {
            for (int written = 0; written < count && !stop; written++) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                boolean create = mine.isEmpty() || random.nextBoolean();
                UUID task = create ? UuidV7.generate() : mine.get(random.nextInt(mine.size()));
                long version = transactions.execute(status -> {
                    long appendedVersion = create
                            ? events.append(tenant, TaskEvents.created(task, tenant, project))
                            : events.append(tenant, new TaskAssigned(task, AssigneeType.USER, "user-" + random.nextInt()));
                    LockSupport.parkNanos(random.nextLong(MAX_COMMIT_DELAY.toNanos()));
                    return appendedVersion;
                });
                if (create) {
                    mine.add(task);
                }
                versions.put(task, version);
                appended.incrementAndGet();
                if (!pause.isZero()) {
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(pause.toNanos()));
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }
}
