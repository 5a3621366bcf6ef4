package dev.verity.query.platform.projection;

import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;

/**
 * Runs events through a projection instance outside any Axon processor, with the same handler
 * resolution Axon uses (so {@code @SequenceNumber}, {@code @Timestamp} and metadata parameters
 * work): a rebuild into a shadow schema, a verification, or a record's state as of a moment all
 * execute exactly the code the live projection runs. The caller owns the transaction.
 */
public final class ProjectionReplayer {

    private final AnnotationEventHandlerAdapter handlers;

    public ProjectionReplayer(Object projection) {
        this.handlers = new AnnotationEventHandlerAdapter(projection);
    }

    public void apply(EventMessage<?> event) {
        if (!handlers.canHandle(event)) {
            return;
        }
        try {
            handlers.handle(event);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Projection failed on event " + event.getIdentifier(), e);
        }
    }
}
