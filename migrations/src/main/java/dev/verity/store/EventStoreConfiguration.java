package dev.verity.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.deadletter.jdbc.DeadLetterSchema;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jpa.SQLStateResolver;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.modelling.saga.repository.jdbc.JdbcSagaStore;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Axon's JDBC event store on PostgreSQL for both apps, kept beside the Flyway SQL whose column
 * names it maps. Declared by hand: under Spring Boot 4 Axon's JDBC auto-configuration does not
 * wire it, and with defaults it would miss PostgreSQL's duplicate key (so concurrent appends
 * would not surface as conflicts), drop slow writers' events as gaps after 60 s and poll only
 * once a second. Tables come from Flyway, never from Axon's createSchema().
 * <p>
 * Every Axon transaction is a Spring transaction on the one {@link DataSource}, and the token
 * store and the projections both take their connection from Spring's transaction
 * synchronisation: that is what lets a processor commit a batch's rows and its token together.
 */
@AutoConfiguration(beforeName = "org.axonframework.springboot.autoconfig.JdbcAutoConfiguration")
@EnableConfigurationProperties(EventStoreConfiguration.EventStoreProperties.class)
public class EventStoreConfiguration {

    /** PostgreSQL's unique_violation: another writer appended the same aggregate sequence. */
    private static final String UNIQUE_VIOLATION = "23505";

    @ConfigurationProperties("verity.event-store")
    public record EventStoreProperties(Duration gapTimeout, Integer gapCleaningThreshold, Duration fetchDelay,
                                       Integer batchSize, Duration tokenClaimTimeout, Integer sharedMessages) {
        public EventStoreProperties {
            gapTimeout = gapTimeout == null ? Duration.ofMinutes(10) : gapTimeout;
            gapCleaningThreshold = gapCleaningThreshold == null ? 25 : gapCleaningThreshold;
            fetchDelay = fetchDelay == null ? Duration.ofMillis(50) : fetchDelay;
            batchSize = batchSize == null ? 100 : batchSize;
            tokenClaimTimeout = tokenClaimTimeout == null ? Duration.ofSeconds(10) : tokenClaimTimeout;
            sharedMessages = sharedMessages == null ? 4096 : sharedMessages;
        }
    }

    /** Must read exactly what the command side's serializer writes. */
    static ObjectMapper eventObjectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Bean
    @Primary
    public Serializer serializer() {
        return JacksonSerializer.builder().objectMapper(eventObjectMapper()).build();
    }

    @Bean
    @Qualifier("eventSerializer")
    public Serializer eventSerializer() {
        return JacksonSerializer.builder().objectMapper(eventObjectMapper()).build();
    }

    @Bean
    public TransactionManager axonTransactionManager(PlatformTransactionManager transactionManager) {
        return new SpringTransactionManager(transactionManager);
    }

    @Bean
    public ConnectionProvider connectionProvider(DataSource dataSource) {
        return new UnitOfWorkAwareConnectionProviderWrapper(new SpringDataSourceConnectionProvider(dataSource));
    }

    @Bean
    public PersistenceExceptionResolver persistenceExceptionResolver() {
        return new SQLStateResolver(UNIQUE_VIOLATION);
    }

    @Bean
    public EventSchema eventSchema() {
        return EventSchema.builder()
                          .eventTable("event_store.domain_event_entry")
                          .snapshotTable("event_store.snapshot_event_entry")
                          .globalIndexColumn("global_index")
                          .timestampColumn("time_stamp")
                          .eventIdentifierColumn("event_identifier")
                          .aggregateIdentifierColumn("aggregate_identifier")
                          .sequenceNumberColumn("sequence_number")
                          .typeColumn("type")
                          .payloadTypeColumn("payload_type")
                          .payloadRevisionColumn("payload_revision")
                          .payloadColumn("payload")
                          .metaDataColumn("meta_data")
                          .build();
    }

    @Bean
    public EventStorageEngine eventStorageEngine(Serializer serializer,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager,
                                                 EventSchema eventSchema,
                                                 EventStoreProperties properties,
                                                 Configuration configuration) {
        return JdbcEventStorageEngine.builder()
                                     .snapshotSerializer(serializer)
                                     .eventSerializer(eventSerializer)
                                     .upcasterChain(configuration.upcasterChain())
                                     .persistenceExceptionResolver(persistenceExceptionResolver)
                                     .connectionProvider(connectionProvider)
                                     .transactionManager(transactionManager)
                                     .schema(eventSchema)
                                     .gapTimeout((int) properties.gapTimeout().toMillis())
                                     .gapCleaningThreshold(properties.gapCleaningThreshold())
                                     .batchSize(properties.batchSize())
                                     .build();
    }

    /** Polls the store every {@code fetch-delay} instead of Axon's 1 s, which would be the floor of projection lag. */
    @Bean
    public EventStore eventStore(EventStorageEngine storageEngine, EventStoreProperties properties) {
        return EmbeddedEventStore.builder()
                                 .storageEngine(storageEngine)
                                 .fetchDelay(properties.fetchDelay().toMillis())
                                 .build();
    }

    /**
     * Every event either app reads passes this upcaster (Axon registers {@code EventUpcaster}
     * beans on the chain {@link #eventStorageEngine} reads through): stored NULs read as U+FFFD.
     */
    @Bean
    public NulCharacterUpcaster nulCharacterUpcaster() {
        return new NulCharacterUpcaster();
    }

    /** Sagas, if any are added, live in event_store.saga_entry (V8), not in Axon's default tables. */
    @Bean
    public SagaStore<Object> sagaStore(ConnectionProvider connectionProvider, Serializer serializer) {
        SagaSchema schema = SagaSchema.builder()
                                      .sagaEntryTable("event_store.saga_entry")
                                      .associationValueEntryTable("event_store.association_value_entry")
                                      .sagaIdColumn("saga_id")
                                      .revisionColumn("revision")
                                      .sagaTypeColumn("saga_type")
                                      .serializedSagaColumn("serialized_saga")
                                      .associationKeyColumn("association_key")
                                      .associationValueColumn("association_value")
                                      .build();
        return JdbcSagaStore.builder()
                            .connectionProvider(connectionProvider)
                            .sqlSchema(new PostgresSagaSqlSchema(schema))
                            .serializer(serializer)
                            .build();
    }

    /**
     * Source for pooled streaming processors: {@code axon.eventhandling.processors.<name>.source:
     * promptEventSource}. Its streams share the messages of the last {@code shared-messages} domain
     * events, so that processors reading the same events deserialize them once.
     */
    @Bean(destroyMethod = "close")
    public PromptEventSource promptEventSource(EventStore eventStore, EventStoreProperties properties) {
        return new PromptEventSource(eventStore, properties.fetchDelay().toMillis(), properties.sharedMessages());
    }

    /**
     * A segment claim not extended for {@code token-claim-timeout} may be taken by another node:
     * that is how a dead node's segments move on. Every processor using this store must extend its
     * claims well within it (the query side's do every 500 ms, its timeout is 3 s); Axon's own
     * defaults are a 10 s timeout and a 5 s extension. A node that lost its claim cannot store a
     * token any more ({@link OwnerOnlyTokenStore}), so a claim taken over is never written back.
     */
    @Bean
    public NodeIdentity nodeIdentity() {
        return NodeIdentity.forThisContext();
    }

    @Bean
    public TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer,
                                 EventStoreProperties properties, NodeIdentity node) {
        TokenSchema schema = TokenSchema.builder()
                                        .setTokenTable("event_store.token_entry")
                                        .setProcessorNameColumn("processor_name")
                                        .setSegmentColumn("segment")
                                        .setTokenColumn("token")
                                        .setTokenTypeColumn("token_type")
                                        .setTimestampColumn("timestamp")
                                        .setOwnerColumn("owner")
                                        .build();
        return new OwnerOnlyTokenStore(JdbcTokenStore.builder()
                                                     .connectionProvider(connectionProvider)
                                                     .serializer(serializer)
                                                     .schema(schema)
                                                     .nodeId(node.id())
                                                     .claimTimeout(properties.tokenClaimTimeout()));
    }

    /**
     * Where dead-letter queues keep parked events: {@code event_store.dead_letter_entry} (V1), one
     * table for every processing group, with the snake_case columns Axon's defaults do not know.
     */
    @Bean
    public DeadLetterSchema deadLetterSchema() {
        return DeadLetterSchema.builder()
                               .deadLetterTable("event_store.dead_letter_entry")
                               .deadLetterIdentifierColumn("dead_letter_identifier")
                               .processingGroupColumn("processing_group")
                               .sequenceIdentifierColumn("sequence_identifier")
                               .sequenceIndexColumn("sequence_index")
                               .messageTypeColumn("message_type")
                               .eventIdentifierColumn("event_identifier")
                               .timestampColumn("time_stamp")
                               .payloadTypeColumn("payload_type")
                               .payloadRevisionColumn("payload_revision")
                               .payloadColumn("payload")
                               .metaDataColumn("meta_data")
                               .aggregateTypeColumn("aggregate_type")
                               .aggregateIdentifierColumn("aggregate_identifier")
                               .sequenceNumberColumn("sequence_number")
                               .tokenTypeColumn("token_type")
                               .tokenColumn("token")
                               .enqueuedAtColumn("enqueued_at")
                               .lastTouchedColumn("last_touched")
                               .processingStartedColumn("processing_started")
                               .causeTypeColumn("cause_type")
                               .causeMessageColumn("cause_message")
                               .diagnosticsColumn("diagnostics")
                               .build();
    }

    /**
     * Axon's default only logs a failing event handler and moves on, which would leave a read
     * model silently missing an event for good. Propagating the failure rolls the batch back
     * (rows and token) and the processor retries it.
     */
    @Bean
    public ConfigurerModule failingProjectionsRetry() {
        return configurer -> configurer.eventProcessing()
                                       .registerDefaultListenerInvocationErrorHandler(c -> PropagatingErrorHandler.instance());
    }
}
