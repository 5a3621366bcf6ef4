package dev.verity.command.platform.axon;

import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An aggregate cache that only ever holds committed state. Axon's caching repository puts an
 * aggregate back when its unit of work commits and releases the aggregate's lock right after. When
 * the unit of work joins a transaction that someone else commits later, the events it appended are
 * not committed yet at that point:
 * <ul>
 *   <li>a request with an {@code Idempotency-Key}, whose claim, events and stored answer share one
 *       transaction;</li>
 *   <li>a command the dependency manager sends from inside its processor's batch.</li>
 * </ul>
 * With a plain cache, the next command on the same aggregate started from that uncommitted state.
 * It appended sequence n + 1, which could commit before sequence n. A projection then saw the later
 * event first and skipped the earlier one as already applied: FaultSuiteIT found a {@code steps}
 * row missing against a rebuild. Had the outer transaction rolled back, the stream would have kept
 * n + 1 without n.
 * <p>
 * So, inside a transaction, an entry is taken out of the cache while it is in use, and the state a
 * unit of work puts back goes in only once the transaction has committed. Meanwhile another
 * command reads the store, sees only committed events and either waits on the uncommitted append's
 * row lock or misses it. Either way the database's unique key decides, as between two nodes. When
 * Axon owns the transaction, it commits before the lock is released, so the entry is back before
 * the next command and caching saves as much as before.
 */
public final class CommittedStateCache implements Cache {

    private final Cache delegate;

    public CommittedStateCache(Cache delegate) {
        this.delegate = delegate;
    }

    @Override
    public <K, V> V get(K key) {
        V value = delegate.get(key);
        if (value != null && TransactionSynchronizationManager.isSynchronizationActive()) {
            // Checked out for this transaction: its changes are not everybody's until it commits.
            delegate.remove(key);
        }
        return value;
    }

    @Override
    public void put(Object key, Object value) {
        if (!afterCommit(() -> delegate.put(key, value))) {
            delegate.put(key, value);
        }
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        if (afterCommit(() -> delegate.putIfAbsent(key, value))) {
            return !delegate.containsKey(key);
        }
        return delegate.putIfAbsent(key, value);
    }

    @Override
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        return delegate.computeIfAbsent(key, valueSupplier);
    }

    @Override
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        delegate.computeIfPresent(key, update);
    }

    @Override
    public boolean remove(Object key) {
        return delegate.remove(key);
    }

    @Override
    public void removeAll() {
        delegate.removeAll();
    }

    @Override
    public boolean containsKey(Object key) {
        return delegate.containsKey(key);
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener cacheEntryListener) {
        return delegate.registerCacheEntryListener(cacheEntryListener);
    }

    /** Runs {@code action} once the current transaction commits (never on a rollback); false when there is none. */
    private static boolean afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return false;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
        return true;
    }
}
