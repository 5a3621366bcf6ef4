package dev.verity.query.platform.projection;

import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;

import java.util.List;

/**
 * Runs events through a projection instance outside any Axon processor, with the same handler
 * resolution Axon uses (so {@code @SequenceNumber}, {@code @Timestamp} and metadata parameters
 * work): a rebuild into a shadow schema, a verification, or a record's state as of a moment all
 * execute exactly the code the live projection runs, confined to each event's tenant as the live
 * processors confine it ({@link TenantWrites}). The caller owns the transaction.
 */
public final class ProjectionReplayer {

    private final AnnotationEventHandlerAdapter handlers;
    private final TenantWrites tenantWrites;

    public ProjectionReplayer(Object projection, TenantWrites tenantWrites) {
        this.handlers = new AnnotationEventHandlerAdapter(projection);
        this.tenantWrites = tenantWrites;
    }

    public void apply(EventMessage<?> event) {
        apply(List.of(event));
    }

    /** Applies events in order in the caller's transaction, which should hold nothing else between them. */
    public void apply(List<? extends EventMessage<?>> events) {
        tenantWrites.eachAsItsTenant(events.stream().filter(handlers::canHandle).toList(), this::handle);
    }

    private void handle(EventMessage<?> event) {
        try {
            handlers.handle(event);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Projection failed on event " + event.getIdentifier(), e);
        }
    }
}
