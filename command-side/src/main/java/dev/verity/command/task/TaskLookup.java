package dev.verity.command.task;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Set-based facts about tasks that one Task aggregate cannot know: whether another task exists
 * in the tenant, whether it is completed, and who waits for it. Fed in the same transaction as
 * the events (see {@link TaskLookupProjector}), never read from the query side.
 */
interface TaskLookup {

    Optional<Entry> find(UUID tenantId, UUID taskId);

    /** Tasks that declared {@code taskId} as a dependency, with their tenants. */
    List<Entry> dependentsOf(UUID taskId);

    record Entry(UUID taskId, UUID tenantId, boolean completed) {
    }
}
