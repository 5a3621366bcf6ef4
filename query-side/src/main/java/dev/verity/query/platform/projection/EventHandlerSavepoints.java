package dev.verity.query.platform.projection;

import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;

/**
 * Runs every event handler of the query side inside a savepoint of the transaction it joins.
 * <p>
 * A processor applies a whole batch of events in one transaction. When one handler fails,
 * PostgreSQL aborts that transaction ("current transaction is aborted"): without a savepoint the
 * dead-letter queue could not even record the failure in it, and a handler that failed half-way
 * would leave its first writes behind. Rolling back to the savepoint undoes exactly the failed
 * event's writes, so the event is parked and the rest of the batch, and its token, commit.
 * The same holds when an operator retries a dead letter: a second failure is recorded, not lost.
 * <p>
 * Inside the savepoint the handler runs confined to its event's tenant: as {@code verity_writer}
 * under row-level security, so a statement that would touch another tenant's row is refused by
 * PostgreSQL and the event is parked. The processor's own writes around the handlers (token, dead
 * letters) stay with the connection's user. {@link TenantWrites#asTenantOf} does both, the
 * savepoint sharing its round trips with the role switch.
 */
final class EventHandlerSavepoints implements HandlerEnhancerDefinition {

    private final TenantWrites tenantWrites;

    EventHandlerSavepoints(TenantWrites tenantWrites) {
        this.tenantWrites = tenantWrites;
    }

    @Override
    public <T> MessageHandlingMember<T> wrapHandler(MessageHandlingMember<T> original) {
        return original.canHandleMessageType(EventMessage.class) ? new InSavepoint<>(original, tenantWrites) : original;
    }

    private static final class InSavepoint<T> extends WrappedMessageHandlingMember<T> {

        private final TenantWrites tenantWrites;

        InSavepoint(MessageHandlingMember<T> delegate, TenantWrites tenantWrites) {
            super(delegate);
            this.tenantWrites = tenantWrites;
        }

        @Override
        public Object handle(Message<?> message, T target) throws Exception {
            return tenantWrites.asTenantOf(message, () -> super.handle(message, target));
        }
    }
}
