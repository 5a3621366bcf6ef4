package dev.verity.events.budget;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The identifier of a project's budget. There is one budget per (tenant, project), and project
 * ids are chosen by clients, so two tenants may well use the same one. Aggregate identifiers are
 * global in the event store: a budget keyed by the project id alone would let the second tenant's
 * first PUT append to (or collide with) the first tenant's budget. The id is therefore derived
 * from both, as a name-based UUID: stable (a PUT finds the budget it set before without a lookup),
 * computable on both sides (the query side answers {@code minVersion} waits by it) and different
 * for every tenant.
 */
public final class BudgetIds {

    private BudgetIds() {
    }

    public static UUID of(UUID tenantId, UUID projectId) {
        return UUID.nameUUIDFromBytes(("budget:" + tenantId + ":" + projectId).getBytes(StandardCharsets.UTF_8));
    }
}
