package dev.verity.command.task;

import dev.verity.command.platform.axon.CommittedStateCache;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.WeakReferenceCache;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tasks stay in memory between their commands, so a lifecycle (create, assign, start, complete)
 * reads its events once instead of reading the snapshot table and every event again for each
 * command: that reload was 12 % of the command side's samples under load. Entries are weakly held,
 * so the collector bounds the cache.
 * <p>
 * Safe with several command nodes because the cache never decides alone: an aggregate cached here
 * misses only events another node appended, and the next event this node appends takes a sequence
 * number one of those already holds. The database's unique key refuses it, the command answers 409
 * like any other race, and the rolled-back unit of work drops the entry (Axon evicts on rollback),
 * so the retry reads the store. A stale entry can only be older, never ahead: events are never
 * removed. It is never ahead of the store either: {@link CommittedStateCache} holds committed state
 * only, also when a command's unit of work joins a transaction that commits after it.
 */
@Configuration(proxyBeanMethods = false)
class TaskCacheConfiguration {

    /** Named on {@link Task}'s {@code @Aggregate(cache = ...)}. */
    static final String TASK_CACHE = "taskCache";

    @Bean(TASK_CACHE)
    Cache taskCache() {
        return new CommittedStateCache(new WeakReferenceCache());
    }
}
