package dev.verity.query.platform.tenancy;

import dev.verity.events.common.MetadataKeys;
import org.axonframework.messaging.Message;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs a projection's handling of one event as that event's tenant, with PostgreSQL rather than
 * the projection's SQL keeping tenants apart: the mirror of {@link TenantReads} for writes.
 * <p>
 * Before the handler, the transaction switches to {@code verity_writer} (a role that neither owns
 * the read-model tables nor bypasses row-level security) and binds the event's tenant in
 * {@code app.current_tenant_id}; every read-model table's {@code tenant_isolation} policy then
 * hides other tenants' rows ({@code USING}) and refuses to write one ({@code WITH CHECK}). A live
 * handling runs in a savepoint of its own ({@link #asTenantOf}): a failure rolls back to it, which
 * undoes the handling's writes and its settings, and the role goes back to the connection's user,
 * so the dead-letter queue records it as the owner in the same transaction and the rest of the
 * batch commits. A handling that succeeds leaves the writer role and its savepoint in place: the
 * next handling releases that savepoint, takes its own and binds its tenant in one round trip,
 * and before Axon's own statements in the transaction (tokens, dead letters) the connection goes
 * back to its owner ({@link OwnerConnections}). A replay, whose transaction holds only handlings,
 * switches once and rebinds only when the tenant changes ({@link #eachAsItsTenant}).
 * <p>
 * pgjdbc sends the statements of one string ({@code RELEASE ...; SAVEPOINT ...; SELECT
 * set_config(...)}) in a single round trip, so a handling costs one round trip besides its own
 * statements (the first of a batch and one after a failure two).
 * <p>
 * An event without a tenant binds none: it can write no row at all. Settings are
 * transaction-local ({@code set_config(..., true)}), so nothing outlives the transaction, which
 * is why there must be one.
 */
@Component
public class TenantWrites {

    public static final String WRITER_ROLE = "verity_writer";

    private static final String BIND =
            "SELECT set_config('role', ?, true), set_config('app.current_tenant_id', ?, true)";
    private static final String ENTER_HANDLING = "SAVEPOINT verity_handling; " + BIND;
    /** The previous handling's savepoint released and the next one's taken, still as the writer. */
    private static final String NEXT_HANDLING =
            "RELEASE SAVEPOINT verity_handling; SAVEPOINT verity_handling; " + BIND;
    private static final String LEAVE_HANDLING =
            "SELECT set_config('role', 'none', true); RELEASE SAVEPOINT verity_handling";
    private static final String UNDO_HANDLING = "ROLLBACK TO SAVEPOINT verity_handling;"
            + " RELEASE SAVEPOINT verity_handling; SELECT set_config('role', 'none', true)";
    /**
     * Bound to a transaction whose last handling succeeded and left the writer role and its
     * savepoint in place; the value is the connection they are on.
     */
    private static final Object WRITER_IN_PLACE = new Object();

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

    /**
     * Runs {@code handling} as {@code verity_writer} confined to the event's tenant, in a savepoint
     * of the caller's transaction. When it fails, the transaction is rolled back to the savepoint
     * (the handling's writes with it), the role given back to the owner and the failure rethrown,
     * leaving the transaction usable by its owner. When it succeeds, the role stays until the
     * next handling or until Axon's next connection ({@link #restoreOwner}).
     * <p>
     * The transactions commit synchronously. An asynchronous commit ({@code synchronous_commit =
     * off}) was tried and is unsafe here: a processor keeps its position in memory once a commit
     * returns, so when the database crashed and lost that commit, the processor carried on past
     * the lost rows and they never came back (FaultSuiteIT, PostgreSQL restarted under load).
     */
    public <T> T asTenantOf(Message<?> event, Callable<T> handling) throws Exception {
        requireTransaction();
        boolean inPlace = TransactionSynchronizationManager.hasResource(WRITER_IN_PLACE);
        jdbc.execute(inPlace ? NEXT_HANDLING : ENTER_HANDLING, (PreparedStatementCallback<Boolean>) statement -> {
            statement.setString(1, WRITER_ROLE);
            statement.setString(2, tenant(event));
            return statement.execute();
        });
        T result;
        try {
            result = handling.call();
        } catch (Exception | Error e) {
            if (inPlace) {
                TransactionSynchronizationManager.unbindResource(WRITER_IN_PLACE);
            }
            try {
                jdbc.execute(UNDO_HANDLING);
            } catch (RuntimeException broken) {
                e.addSuppressed(broken);
            }
            throw e;
        }
        if (!inPlace) {
            leaveWriterInPlace();
        }
        return result;
    }

    /**
     * Gives {@code connection} back to its owner if the last handling in its transaction left the
     * writer role in place: called with every connection Axon's token store and dead-letter queue
     * get ({@link OwnerConnections}), before their first statement. Between two handlings of a
     * batch nothing else runs on the transaction's connection, so the next handling's savepoint
     * and binding ride on the same round trip as releasing the previous one.
     */
    static void restoreOwner(Connection connection) throws SQLException {
        Object inPlace = TransactionSynchronizationManager.getResource(WRITER_IN_PLACE);
        if (inPlace == null || inPlace != connection.unwrap(PGConnection.class)) {
            return;
        }
        TransactionSynchronizationManager.unbindResource(WRITER_IN_PLACE);
        try (Statement statement = connection.createStatement()) {
            statement.execute(LEAVE_HANDLING);
        }
    }

    private void leaveWriterInPlace() {
        PGConnection connection = jdbc.execute((ConnectionCallback<PGConnection>) c -> c.unwrap(PGConnection.class));
        TransactionSynchronizationManager.bindResource(WRITER_IN_PLACE, connection);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                // Role, tenant and savepoint ended with the transaction.
                TransactionSynchronizationManager.unbindResourceIfPossible(WRITER_IN_PLACE);
            }
        });
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
