package dev.verity.query.platform.projection;

import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Runs events through a projection instance outside any Axon processor, with the same handler
 * resolution Axon uses (so {@code @SequenceNumber}, {@code @Timestamp} and metadata parameters
 * work): a rebuild into a shadow schema, a verification, or a record's state as of a moment all
 * execute exactly the code the live projection runs, confined to each event's tenant as the live
 * processors confine it ({@link TenantWrites}). The caller owns the transaction.
 */
public final class ProjectionReplayer {

    private static final String SAVEPOINT = "deferred_replay";

    private final AnnotationEventHandlerAdapter handlers;
    private final TenantWrites tenantWrites;
    private final Deferred deferred;
    private long batchesAppliedAgain;

    /** The fast path of a {@link #deferred} replayer and what undoes it. */
    private record Deferred(AnnotationEventHandlerAdapter handlers, DeferredReadModelWriter writer, JdbcTemplate jdbc) {
    }

    public ProjectionReplayer(Object projection, TenantWrites tenantWrites) {
        this(projection, tenantWrites, null);
    }

    private ProjectionReplayer(Object projection, TenantWrites tenantWrites, Deferred deferred) {
        this.handlers = new AnnotationEventHandlerAdapter(projection);
        this.tenantWrites = tenantWrites;
        this.deferred = deferred;
    }

    /**
     * A replayer for tables that start empty (a rebuild's shadow tables, a verification's
     * scratch tables), which applies each {@link #apply(List) batch} through a
     * {@link DeferredReadModelWriter} that holds its rows in memory and writes them in a few
     * statements. Should that fail, the batch is rolled back to a savepoint and applied again
     * through an ordinary {@link ReadModelWriter}, whose outcome counts: the deferred writer's
     * failure may be a guess it got wrong (a creation repeated across batches) rather than an
     * event that cannot project, and an event that cannot project then fails as it fails live.
     */
    public static ProjectionReplayer deferred(ProjectionDefinition projection, NamedParameterJdbcTemplate jdbc,
                                              String schema, TenantWrites tenantWrites) {
        DeferredReadModelWriter writer = new DeferredReadModelWriter(jdbc, schema, tenantWrites);
        Deferred deferred = new Deferred(new AnnotationEventHandlerAdapter(projection.newInstance(writer)), writer,
                                         jdbc.getJdbcTemplate());
        return new ProjectionReplayer(projection.newInstance(new ReadModelWriter(jdbc, schema)), tenantWrites, deferred);
    }

    /**
     * Whether the projection has a handler for the event, judged by its payload type alone (a
     * stored event is not deserialized for it); safe from any thread.
     */
    public boolean handles(EventMessage<?> event) {
        return handlers.canHandle(event);
    }

    public void apply(EventMessage<?> event) {
        apply(List.of(event));
    }

    /** Applies events in order in the caller's transaction, which should hold nothing else between them. */
    public void apply(List<? extends EventMessage<?>> events) {
        List<? extends EventMessage<?>> handled = events.stream().filter(handlers::canHandle).toList();
        if (deferred == null || handled.isEmpty()) {
            tenantWrites.eachAsItsTenant(handled, event -> handle(handlers, event));
            return;
        }
        deferred.jdbc().execute("SAVEPOINT " + SAVEPOINT);
        try {
            tenantWrites.eachAsItsTenant(handled, event -> deferred.writer().during(
                    TenantWrites.boundTenant(event), () -> handle(deferred.handlers(), event)));
            deferred.writer().flush();
            deferred.jdbc().execute("RELEASE SAVEPOINT " + SAVEPOINT);
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            deferred.writer().discard();
            deferred.jdbc().execute("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
            deferred.jdbc().execute("RELEASE SAVEPOINT " + SAVEPOINT);
            batchesAppliedAgain++;
            tenantWrites.eachAsItsTenant(handled, event -> handle(handlers, event));
        }
    }

    /** How many batches the deferred writer gave back to the ordinary one so far. */
    public long batchesAppliedAgain() {
        return batchesAppliedAgain;
    }

    private static void handle(AnnotationEventHandlerAdapter handlers, EventMessage<?> event) {
        try {
            handlers.handle(event);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Projection failed on event " + event.getIdentifier(), e);
        }
    }
}
