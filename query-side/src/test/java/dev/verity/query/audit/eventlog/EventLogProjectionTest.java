package dev.verity.query.audit.eventlog;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.query.ConcurrentWriters;
import dev.verity.query.EventStreams;
import dev.verity.query.TaskEvents;
import dev.verity.query.audit.AuditTest;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ProjectionReplayer;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.TenantReads;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The event log projection on real PostgreSQL: live through its processor, and replayed as rebuilds replay it. */
class EventLogProjectionTest extends AuditTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();
    private final String scratch = "scratch_" + UUID.randomUUID().toString().replace("-", "");

    @Autowired
    private NamedParameterJdbcTemplate jdbc;
    @Autowired
    private EventStore eventStore;
    @Autowired
    private Projections projections;
    @Autowired
    private TenantReads tenantReads;
    @Autowired
    private TenantWrites tenantWrites;
    @Autowired
    private PlatformTransactionManager transactionManager;
    @Autowired
    private EventProcessingConfiguration processing;

    @AfterEach
    void dropScratchSchema() {
        owner.execute("DROP SCHEMA IF EXISTS " + scratch + " CASCADE");
    }

    @Test
    void eventLog_holdsOneRowPerEvent_withEveryColumnTakenFromTheStoredEvent() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"), new TaskStarted(taskId));
        awaitEventLog(taskId, 3);

        List<Map<String, Object>> rows = owner.queryForList("""
                SELECT l.*, l.payload = convert_from(e.payload, 'UTF8')::jsonb AS same_payload,
                       e.global_index AS stored_global_index, e.time_stamp AS stored_time_stamp,
                       convert_from(e.meta_data, 'UTF8')::jsonb ->> 'correlationId' AS stored_correlation_id,
                       convert_from(e.meta_data, 'UTF8')::jsonb ->> 'causationId' AS stored_causation_id
                  FROM read_model.event_log l
                  JOIN event_store.domain_event_entry e ON e.event_identifier = l.id::text
                 WHERE l.aggregate_id = ?
                 ORDER BY l.sequence_number""", taskId);

        assertThat(rows).hasSize(3);
        assertThat(rows).extracting(row -> row.get("event_type"))
                        .containsExactly("TaskCreated", "TaskAssigned", "TaskStarted");
        assertThat(rows).extracting(row -> row.get("sequence_number")).containsExactly(0L, 1L, 2L);
        for (Map<String, Object> row : rows) {
            assertThat(row.get("tenant_id")).isEqualTo(tenant);
            assertThat(row.get("aggregate_type")).isEqualTo("Task");
            assertThat(row.get("aggregate_id")).isEqualTo(taskId);
            assertThat(row.get("same_payload")).isEqualTo(true);
            assertThat(row.get("actor_type")).isEqualTo("user");
            assertThat(row.get("actor_id")).isEqualTo(EventStreams.ACTOR_ID);
            assertThat(row.get("global_index")).isEqualTo(row.get("stored_global_index"));
            assertThat(row.get("correlation_id")).isNotNull().isEqualTo(row.get("stored_correlation_id"));
            assertThat(row.get("causation_id")).isNotNull().isEqualTo(row.get("stored_causation_id"));
            assertThat(((java.sql.Timestamp) row.get("created_at")).toInstant())
                    .isEqualTo(Instant.parse((String) row.get("stored_time_stamp")));
            // Only the creation names the project; the other events inherit it from the rows before them.
            assertThat(row.get("project_id")).isEqualTo(project);
        }
        assertThat(owner.queryForObject("SELECT payload ->> 'title' FROM read_model.event_log"
                                        + " WHERE aggregate_id = ? AND sequence_number = 0", String.class, taskId))
                .isEqualTo("Review the spec");
    }

    @Test
    void replayingTheStoredEvents_changesNothing() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"));
        awaitEventLog(taskId, 2);
        List<String> before = wholeRows("read_model");

        replay(ReadModelWriter.READ_MODEL, storedEvents());
        replay(ReadModelWriter.READ_MODEL, storedEvents());

        assertThat(wholeRows("read_model")).isEqualTo(before).hasSize(2);
    }

    /** A tracking token's index is the highest position seen, not the event's: out-of-order commits part them. */
    @Test
    void eventLog_holdsEachEventsOwnGlobalIndex_whenConcurrentWritersCommitOutOfOrder() throws Exception {
        ConcurrentWriters writers = new ConcurrentWriters(eventStreams, transactionManager, tenant, project).start(20);
        writers.awaitDone();
        long events = writers.appended();

        await().atMost(Duration.ofSeconds(30)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.event_log WHERE tenant_id = ?", Long.class, tenant) == events);

        assertThat(owner.queryForObject("""
                SELECT count(*) FROM read_model.event_log l
                  JOIN event_store.domain_event_entry e ON e.event_identifier = l.id::text
                 WHERE l.tenant_id = ? AND l.global_index <> e.global_index""", Long.class, tenant))
                .as("rows of %d whose global_index is not their event's", events).isZero();
    }

    /**
     * The live processor looks up a whole batch's positions at once: a batch whose first event
     * fills a gap (a slow writer took its index, later events committed first and were processed)
     * still gives each event its own index, not the token's.
     */
    @Test
    void eventLog_holdsEachEventsOwnGlobalIndex_whenABatchStartsWithAGapFilledLate() throws Exception {
        StreamingEventProcessor eventLog = processing.eventProcessor("event-log", StreamingEventProcessor.class)
                                                     .orElseThrow();
        UUID slowTask = UuidV7.generate();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        Thread slowWriter = new Thread(() -> new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            eventStreams.append(tenant, TaskEvents.created(slowTask, tenant, project));
            appended.countDown();
            try {
                commit.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "test-slow-writer");
        slowWriter.start();
        assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project));
        awaitEventLog(taskId, 1);

        eventLog.shutDown();
        try {
            commit.countDown();
            slowWriter.join();
            eventStreams.append(tenant, new TaskAssigned(slowTask, AssigneeType.USER, "bob"),
                                new TaskStarted(slowTask));
        } finally {
            eventLog.start();
        }
        awaitEventLog(slowTask, 3);

        assertThat(owner.queryForObject("""
                SELECT count(*) FROM event_store.domain_event_entry slow, event_store.domain_event_entry fast
                 WHERE slow.aggregate_identifier = ? AND slow.sequence_number = 0
                   AND fast.aggregate_identifier = ? AND slow.global_index < fast.global_index""",
                Long.class, slowTask.toString(), taskId.toString()))
                .as("the slow writer's event sits before the event that committed first").isOne();
        assertThat(owner.queryForList("""
                SELECT l.sequence_number FROM read_model.event_log l
                  JOIN event_store.domain_event_entry e ON e.event_identifier = l.id::text
                 WHERE l.tenant_id = ? AND l.global_index <> e.global_index""", Long.class, tenant))
                .as("rows whose global_index is not their event's").isEmpty();
    }

    @Test
    void aReplayIntoAnotherSchema_reproducesTheLiveRows_globalIndexIncluded() {
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                            new TaskAssigned(taskId, AssigneeType.USER, "bob"), new TaskStarted(taskId));
        awaitEventLog(taskId, 3);
        owner.execute("CREATE SCHEMA " + scratch);
        owner.execute("CREATE TABLE " + scratch + ".event_log (LIKE read_model.event_log INCLUDING ALL)");
        owner.execute("GRANT USAGE ON SCHEMA " + scratch + " TO " + TenantWrites.WRITER_ROLE);
        owner.execute("SELECT read_model.enable_tenant_isolation('" + scratch + ".event_log')");

        // Read by aggregate, these events carry no tracking token: the global index comes from the store.
        replay(scratch, storedEvents());

        assertThat(wholeRows(scratch)).isEqualTo(wholeRows("read_model")).hasSize(3);
    }

    @Test
    void rowLevelSecurity_showsEachTenantOnlyItsOwnEvents() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherTask = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project), new TaskStarted(taskId));
        eventStreams.append(otherTenant, TaskEvents.created(otherTask, otherTenant, project));
        awaitEventLog(taskId, 2);
        awaitEventLog(otherTask, 1);
        String unfiltered = "SELECT aggregate_id FROM read_model.event_log";

        List<UUID> seenByTenant = tenantReads.read(tenant, reader -> reader.getJdbcTemplate()
                                                                         .queryForList(unfiltered, UUID.class));
        List<UUID> seenByOther = tenantReads.read(otherTenant, reader -> reader.getJdbcTemplate()
                                                                             .queryForList(unfiltered, UUID.class));

        assertThat(seenByTenant).containsExactly(taskId, taskId);
        assertThat(seenByOther).containsExactly(otherTask);
    }

    @Test
    void anEventWithoutATenant_isRefused_ratherThanLoggedForNobody() {
        DomainEventMessage<?> untenanted = new GenericDomainEventMessage<>(
                "Task", taskId.toString(), 0, TaskEvents.created(taskId, tenant, project), MetaData.emptyInstance());

        assertThatThrownBy(() -> replay(ReadModelWriter.READ_MODEL, List.of(untenanted)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenantId");
    }

    @Test
    void eventLog_runsInAPooledStreamingProcessorNamedEventLog() {
        assertThat(processing.eventProcessorByProcessingGroup("event-log"))
                .get()
                .isInstanceOf(PooledStreamingEventProcessor.class)
                .satisfies(processor -> assertThat(processor.getName()).isEqualTo("event-log"));
    }

    @Test
    void eventLog_isRegisteredAsAProjection_ownedTableEventLog() {
        assertThat(projections.find("event-log"))
                .get()
                .satisfies(definition -> assertThat(definition.tables()).containsExactly("event_log"));
    }

    /** Replays in one transaction, as rebuilds and as-of views do: writes are confined to each event's tenant. */
    private void replay(String schema, List<DomainEventMessage<?>> events) {
        ProjectionDefinition definition = projections.find("event-log").orElseThrow();
        ProjectionReplayer replayer = new ProjectionReplayer(definition.newInstance(new ReadModelWriter(jdbc, schema)),
                                                             tenantWrites);
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> replayer.apply(events));
    }

    private List<DomainEventMessage<?>> storedEvents() {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        eventStore.readEvents(taskId.toString(), 0).forEachRemaining(events::add);
        return events;
    }

    /** Each row of the task as JSON text, so rows compare column by column. */
    private List<String> wholeRows(String schema) {
        return owner.queryForList("SELECT to_jsonb(l)::text FROM " + schema + ".event_log l WHERE aggregate_id = ?"
                                  + " ORDER BY sequence_number", String.class, taskId);
    }
}
