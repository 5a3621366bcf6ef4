package dev.verity.query.platform.projection;

import dev.verity.query.platform.projection.DeadLetterProperties.Limits;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.DeadLetterSchema;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcSequencedDeadLetterQueue;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.deadletter.Decisions;
import org.axonframework.messaging.deadletter.EnqueuePolicy;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every registered projection parks the events it cannot apply in its own dead-letter queue
 * (Axon's JDBC queue on {@code event_store.dead_letter_entry}, keyed by processing group) and
 * carries on. Axon parks by sequence, which for these processors is the aggregate: once one
 * event of a record is parked, that record's later events queue up behind it in order, while
 * every other record keeps flowing. Operators list, retry and discard them through the admin API.
 * <p>
 * Each queue holds at most {@link DeadLetterProperties} sequences and events per sequence. What
 * it records of a failure is {@link SafeCauses}: classes and SQLState, never the message.
 * <p>
 * Before each event Axon asks the queue whether the event's record has parked events (one query
 * per event and projection). Its sequence identifier cache answers instead where it can: per
 * segment this node holds, from whether the queue was empty when the segment was claimed, the
 * records parked since and the last records seen not parked. Only the node holding a segment
 * parks that segment's records, and a segment released (to another node, a split or a pause)
 * forgets its cache, so the next claim starts from the queue again. Everything else that changes
 * a queue only removes letters (a retry that succeeds, a discard, a rebuild clearing the queue):
 * the cache then still takes the record for parked and asks the queue, which says no.
 * <p>
 * Failures outside a handler (the database unreachable, the queue full) still fail the batch,
 * which the processor retries: those are not a problem of one record.
 */
@Configuration(proxyBeanMethods = false)
class DeadLetterConfiguration {

    /** Parks every failure, recording only what {@link SafeCauses} keeps of it, on first failure and on retry. */
    static final EnqueuePolicy<EventMessage<?>> SAFE_CAUSES = (letter, cause) -> Decisions.enqueue(SafeCauses.of(cause));

    @Bean
    ConfigurerModule projectionDeadLetterQueues(Projections projections, ConnectionProvider connectionProvider,
                                                TransactionManager transactionManager, DeadLetterSchema schema,
                                                Serializer serializer,
                                                @Qualifier("eventSerializer") Serializer eventSerializer,
                                                DeadLetterProperties properties) {
        return configurer -> projections.all().forEach(projection -> {
            Limits limits = properties.limitsFor(projection.name());
            configurer.eventProcessing()
                      .registerDeadLetterQueue(projection.name(), configuration -> JdbcSequencedDeadLetterQueue
                              .<EventMessage<?>>builder()
                              .processingGroup(projection.name())
                              .maxSequences(limits.maxSequences())
                              .maxSequenceSize(limits.maxSequenceSize())
                              .connectionProvider(connectionProvider)
                              .transactionManager(transactionManager)
                              .schema(schema)
                              .genericSerializer(serializer)
                              .eventSerializer(eventSerializer)
                              .build())
                      .registerDeadLetterPolicy(projection.name(), configuration -> SAFE_CAUSES)
                      .registerDeadLetteringEventHandlerInvokerConfiguration(
                              projection.name(), (configuration, invoker) -> invoker.enableSequenceIdentifierCache());
        });
    }

    @Bean
    HandlerEnhancerDefinition eventHandlerSavepoints(TenantWrites tenantWrites) {
        return new EventHandlerSavepoints(tenantWrites);
    }
}
