package dev.verity.query.platform.tenancy;

import dev.verity.events.common.MetadataKeys;
import org.axonframework.messaging.Message;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs a projection's handling of one event as that event's tenant, with PostgreSQL rather than
 * the projection's SQL keeping tenants apart: the mirror of {@link TenantReads} for writes.
 * <p>
 * Before the handler, one statement switches the transaction to {@code verity_writer} (a role
 * that neither owns the read-model tables nor bypasses row-level security) and binds the event's
 * tenant in {@code app.current_tenant_id}; every read-model table's {@code tenant_isolation}
 * policy then hides other tenants' rows ({@code USING}) and refuses to write one
 * ({@code WITH CHECK}). Both settings ride on the role switch, so binding the tenant costs no
 * round trip of its own. After the handler the role goes back to the connection's user, so
 * Axon's own writes in the same transaction (tokens, dead letters) run as the owner; a failed
 * handler is rolled back to its savepoint, which undoes both settings too. A replay, whose
 * transaction holds only handlings, switches once and rebinds only when the tenant changes
 * ({@link #eachAsItsTenant}).
 * <p>
 * An event without a tenant binds none: it can write no row at all. Settings are
 * transaction-local ({@code set_config(..., true)}), so nothing outlives the transaction, which
 * is why there must be one.
 */
@Component
public class TenantWrites {

    public static final String WRITER_ROLE = "verity_writer";

    private final JdbcTemplate jdbc;

    public TenantWrites(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant an event belongs to, from the metadata every command stamps on it. */
    public static Optional<UUID> tenantOf(Message<?> event) {
        Object tenant = event.getMetaData().get(MetadataKeys.TENANT_ID);
        try {
            return Optional.ofNullable(tenant).map(value -> UUID.fromString(value.toString()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Runs {@code handling} as {@code verity_writer} confined to the event's tenant, in the caller's transaction. */
    public <T> T asTenantOf(Message<?> event, Callable<T> handling) throws Exception {
        requireTransaction();
        bind(tenant(event));
        T result = handling.call();
        jdbc.queryForList("SELECT set_config('role', 'none', true)");
        return result;
    }

    /**
     * Handles a run of events in order, each confined to its own tenant, then returns to the
     * connection's user: for a replay, whose transaction holds nothing but these handlings. The
     * tenant is bound again only when it changes from one event to the next. On a failure the
     * role is given back where the transaction still allows it; the caller rolls back anyway.
     */
    public <M extends Message<?>> void eachAsItsTenant(List<M> events, Consumer<M> handling) {
        if (events.isEmpty()) {
            return;
        }
        requireTransaction();
        String bound = null;
        try {
            for (M event : events) {
                String tenant = tenant(event);
                if (!tenant.equals(bound)) {
                    bind(tenant);
                    bound = tenant;
                }
                handling.accept(event);
            }
        } catch (RuntimeException e) {
            try {
                jdbc.queryForList("SELECT set_config('role', 'none', true)");
            } catch (RuntimeException aborted) {
                e.addSuppressed(aborted);
            }
            throw e;
        }
        jdbc.queryForList("SELECT set_config('role', 'none', true)");
    }

    /**
     * Binds {@code verity_writer} and {@code tenant} (as {@link #tenantOf} spells an event's
     * tenant, "" for none) for the statements that follow in the caller's transaction, until
     * {@link #release}: a replay writing a batch's held rows tenant by tenant.
     */
    public void confineTo(String tenant) {
        requireTransaction();
        bind(tenant);
    }

    /** Gives the connection its own role back after {@link #confineTo}. */
    public void release() {
        jdbc.queryForList("SELECT set_config('role', 'none', true)");
    }

    /** The tenant an event is bound to: its own, or "" when it names none (which row-level security refuses). */
    public static String boundTenant(Message<?> event) {
        return tenant(event);
    }

    private void bind(String tenant) {
        jdbc.queryForList("SELECT set_config('role', ?, true), set_config('app.current_tenant_id', ?, true)",
                          WRITER_ROLE, tenant);
    }

    private static String tenant(Message<?> event) {
        return tenantOf(event).map(UUID::toString).orElse("");
    }

    private static void requireTransaction() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Projection writes need a transaction to confine them to a tenant");
        }
    }
}
