package dev.verity.query.platform.projection;

import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

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
 * Inside the savepoint the handler runs confined to its event's tenant ({@link TenantWrites}):
 * as {@code verity_writer} under row-level security, so a statement that would touch another
 * tenant's row is refused by PostgreSQL and the event is parked. The processor's own writes
 * around the handlers (token, dead letters) stay with the connection's user.
 */
final class EventHandlerSavepoints implements HandlerEnhancerDefinition {

    private final TransactionTemplate savepoint;
    private final TenantWrites tenantWrites;

    EventHandlerSavepoints(PlatformTransactionManager transactionManager, TenantWrites tenantWrites) {
        this.tenantWrites = tenantWrites;
        this.savepoint = new TransactionTemplate(transactionManager);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    @Override
    public <T> MessageHandlingMember<T> wrapHandler(MessageHandlingMember<T> original) {
        return original.canHandleMessageType(EventMessage.class)
                ? new InSavepoint<>(original, savepoint, tenantWrites)
                : original;
    }

    private static final class InSavepoint<T> extends WrappedMessageHandlingMember<T> {

        private final TransactionTemplate savepoint;
        private final TenantWrites tenantWrites;

        InSavepoint(MessageHandlingMember<T> delegate, TransactionTemplate savepoint, TenantWrites tenantWrites) {
            super(delegate);
            this.savepoint = savepoint;
            this.tenantWrites = tenantWrites;
        }

        @Override
        public Object handle(Message<?> message, T target) throws Exception {
            try {
                return savepoint.execute(status -> {
                    try {
                        return tenantWrites.asTenantOf(message, () -> super.handle(message, target));
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new CheckedFailure(e);
                    }
                });
            } catch (CheckedFailure failure) {
                throw failure.original;
            }
        }
    }

    /** Carries a checked exception through TransactionTemplate, which rolls back only on unchecked ones. */
    private static final class CheckedFailure extends RuntimeException {

        private final Exception original;

        CheckedFailure(Exception original) {
            super(original);
            this.original = original;
        }
    }
}
