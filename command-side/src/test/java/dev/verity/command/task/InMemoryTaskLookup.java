package dev.verity.command.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The lookup's contract for fixture tests; JdbcTaskLookupTest covers the PostgreSQL one. */
class InMemoryTaskLookup implements TaskLookup {

    private final Map<UUID, Entry> entries = new HashMap<>();
    private final Map<UUID, List<UUID>> dependents = new HashMap<>();

    InMemoryTaskLookup with(UUID tenantId, UUID taskId, boolean completed) {
        entries.put(taskId, new Entry(taskId, tenantId, completed));
        return this;
    }

    @Override
    public Optional<Entry> find(UUID tenantId, UUID taskId) {
        return Optional.ofNullable(entries.get(taskId)).filter(entry -> entry.tenantId().equals(tenantId));
    }

    @Override
    public List<Entry> dependentsOf(UUID taskId) {
        return dependents.getOrDefault(taskId, new ArrayList<>()).stream().map(entries::get).toList();
    }
}
