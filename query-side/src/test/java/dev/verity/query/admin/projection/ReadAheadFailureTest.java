package dev.verity.query.admin.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.TaskEvent;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.nodes.QueryNodes;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A replay's reader thread ({@link ReadAhead}) that fails in the middle of a batch: the failure
 * reaches the writer after the batches read before it, the rebuild fails and drops its shadow
 * tables, the live tables and tokens stay as they were, and no reader thread is left running.
 * The failure is injected where the reader meets the store: the real storage engine's stream
 * throws after a given number of events, as a lost connection or an event that cannot be
 * deserialized would.
 */
class ReadAheadFailureTest extends QuerySideTest {

    private static final String FAULT = "the store failed mid-batch (a test)";
    private static final String READER_THREAD = "replay-read-ahead";

    @Autowired
    private EventStorageEngine storage;
    @Autowired
    private ProjectionOperationsProperties properties;
    @Autowired
    private Projections projections;
    @Autowired
    private ShadowTables shadowTables;
    @Autowired
    private EventPositions positions;
    @Autowired
    private LiveProcessors live;
    @Autowired
    private ProcessorTokens tokens;
    @Autowired
    private EventStoreHead head;
    @Autowired
    private JdbcTemplate jdbc;
    @Autowired
    private NamedParameterJdbcTemplate namedJdbc;
    @Autowired
    private TenantWrites tenantWrites;
    @Autowired
    private PlatformTransactionManager transactionManager;
    @Autowired
    private QueryNodes nodes;

    private final UUID tenant = UUID.randomUUID();
    private int batchSize;

    /** Two and a half batches of this test's tenant's tasks, applied by the live projection. */
    @BeforeEach
    void storeTasks() {
        batchSize = properties.replayBatchSize();
        int tasks = batchSize * 5 / 2;
        MetaData metaData = EventStreams.metaData(tenant);
        UUID project = UUID.randomUUID();
        List<EventMessage<?>> created = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            UUID id = UuidV7.generate();
            created.add(new GenericDomainEventMessage<TaskEvent>("Task", id.toString(), 0,
                                                                 TaskEvents.created(id, tenant, project), metaData,
                                                                 UUID.randomUUID().toString(), Instant.now()));
        }
        storage.appendEvents(created);
        await().atMost(Duration.ofSeconds(30)).until(() -> liveTasks() == tasks);
    }

    @Test
    void readAhead_handsOverTheBatchesReadBeforeAFailure_thenTheFailure_andLeavesNoThread() {
        FailingStore failing = new FailingStore(storage, batchSize + batchSize / 2);
        ReadAhead.Batch first;
        Throwable failure;
        try (ReadAhead reader = new ReadAhead(failing, null, batchSize, Long.MAX_VALUE, () -> false, event -> true)) {
            first = reader.next();
            failure = catchThrowable(reader::next);
            assertThat(catchThrowable(reader::next)).as("after its failure the reader has nothing more")
                                                     .isInstanceOf(IllegalStateException.class)
                                                     .hasMessageContaining("handed over already");
        }

        assertThat(first.events()).hasSize(batchSize);
        assertThat(first.more()).isTrue();
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage(FAULT);
        assertThat(failing.streamsClosed.get()).as("the store's stream is closed").isEqualTo(1);
        assertNoReaderThread();
    }

    @Test
    void aRebuildWhoseReaderFailsMidBatch_failsCleanly_andLeavesLiveTablesAndTokensAsTheyWere() {
        ProjectionDefinition tasks = projections.find("tasks").orElseThrow();
        String processor = live.processorName("tasks");
        Map<Integer, TrackingToken> tokensBefore = tokens.read(processor);
        long liveBefore = liveTasks();
        FailingStore failing = new FailingStore(storage, batchSize + batchSize / 2);
        Rebuilder rebuilder = new Rebuilder(shadowTables, new Replays(failing, positions, transactionManager, namedJdbc,
                                                                      tenantWrites, properties),
                                            live, tokens, head, jdbc, transactionManager, properties);
        RebuildProgress progress = new RebuildProgress("tasks", Clock.systemUTC());

        rebuilder.rebuild(tasks, progress);

        RebuildProgress.Status status = progress.status();
        assertThat(status.state()).isEqualTo("failed");
        assertThat(status.error()).contains(FAULT);
        assertThat(status.eventsReplayed()).as("the batch read before the failure committed, no more")
                                           .isEqualTo(batchSize);
        assertThat(owner.queryForObject("SELECT count(*) FROM pg_namespace WHERE nspname = ?", Long.class,
                                        ShadowTables.schemaName("rebuild_", "tasks")))
                .as("shadow schema dropped").isZero();
        assertThat(liveTasks()).isEqualTo(liveBefore);
        assertThat(tokens.read(processor)).isEqualTo(tokensBefore);
        assertThat(live.running("tasks")).isTrue();
        assertThat(nodes.maxSegments(processor)).as("the live processor is not left paused").isPositive();
        assertNoReaderThread();
    }

    private long liveTasks() {
        return owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?", Long.class, tenant);
    }

    private static void assertNoReaderThread() {
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName))
                .doesNotContain(READER_THREAD);
    }

    /** The real storage engine, whose event stream fails after {@code failAfter} events. Reading only. */
    private static final class FailingStore implements EventStorageEngine {

        private final EventStorageEngine store;
        private final int failAfter;
        private final AtomicInteger streamsClosed = new AtomicInteger();

        FailingStore(EventStorageEngine store, int failAfter) {
            this.store = store;
            this.failAfter = failAfter;
        }

        @Override
        public Stream<? extends TrackedEventMessage<?>> readEvents(TrackingToken trackingToken, boolean mayBlock) {
            AtomicInteger read = new AtomicInteger();
            return store.readEvents(trackingToken, mayBlock).<TrackedEventMessage<?>>map(event -> {
                if (read.incrementAndGet() > failAfter) {
                    throw new IllegalStateException(FAULT);
                }
                return event;
            }).onClose(streamsClosed::incrementAndGet);
        }

        @Override
        public TrackingToken createTailToken() {
            return store.createTailToken();
        }

        @Override
        public TrackingToken createHeadToken() {
            return store.createHeadToken();
        }

        @Override
        public void appendEvents(List<? extends EventMessage<?>> events) {
            throw new UnsupportedOperationException("A replay only reads");
        }

        @Override
        public void storeSnapshot(DomainEventMessage<?> snapshot) {
            throw new UnsupportedOperationException("A replay only reads");
        }

        @Override
        public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
            throw new UnsupportedOperationException("A replay reads the store in global order");
        }

        @Override
        public Optional<DomainEventMessage<?>> readSnapshot(String aggregateIdentifier) {
            throw new UnsupportedOperationException("A replay reads no snapshots");
        }
    }
}
