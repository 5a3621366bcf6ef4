package dev.verity.query.admin.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskEvent;
import dev.verity.events.task.TaskEvent.ActionSubmitted;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepCompleted;
import dev.verity.events.task.TaskEvent.StepFailed;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskActionAdded;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskEvent.TaskDependencyResolved;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.events.task.TaskEvent.TaskTargetAdded;
import dev.verity.events.task.TaskEvent.TaskUnblocked;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import dev.verity.events.task.TaskType;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ProjectionReplayer;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A replay through the deferred writer, which holds a batch's rows in memory, leaves exactly the
 * rows the ordinary writer leaves, for every batch size: both replay the same mixed history of two
 * tenants into empty shadow tables (row-level security on) and the tables are compared row by row.
 */
class DeferredReplayTest extends QuerySideTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String exactSchema = "exact_" + suffix;
    private final String deferredSchema = "deferred_" + suffix;
    private final UUID tenantA = UUID.randomUUID();
    private final UUID tenantB = UUID.randomUUID();
    private final Map<UUID, Long> sequences = new LinkedHashMap<>();
    private long millis;

    @Autowired
    private ShadowTables shadowTables;
    @Autowired
    private Projections projections;
    @Autowired
    private NamedParameterJdbcTemplate jdbc;
    @Autowired
    private TenantWrites tenantWrites;
    @Autowired
    private PlatformTransactionManager transactionManager;

    private ProjectionDefinition tasks;

    @BeforeEach
    void shadowTables() {
        tasks = projections.find("tasks").orElseThrow();
        shadowTables.create(exactSchema, tasks.tables());
        shadowTables.create(deferredSchema, tasks.tables());
    }

    @AfterEach
    void dropShadowTables() {
        shadowTables.drop(exactSchema);
        shadowTables.drop(deferredSchema);
    }

    @Test
    void aMixedHistoryOfTwoTenants_leavesTheOrdinaryWritersRows_inBatchesOfAnySize() {
        List<GenericDomainEventMessage<TaskEvent>> history = mixedHistory();
        ProjectionReplayer exact = new ProjectionReplayer(tasks.newInstance(new ReadModelWriter(jdbc, exactSchema)),
                                                          tenantWrites);
        replay(exact, history, history.size());
        assertThat(rows(exactSchema, "tasks")).hasSize(4);

        for (int batchSize : new int[]{1, 3, 7, history.size()}) {
            owner.execute("TRUNCATE " + String.join(", ", tasks.tables().stream()
                                                                .map(t -> deferredSchema + "." + t).toList()));
            ProjectionReplayer deferred = ProjectionReplayer.deferred(tasks, jdbc, deferredSchema, tenantWrites);
            replay(deferred, history, batchSize);
            for (String table : tasks.tables()) {
                assertThat(rows(deferredSchema, table)).as("%s in batches of %d", table, batchSize)
                                                       .isEqualTo(rows(exactSchema, table));
            }
            long batches = (history.size() + batchSize - 1) / batchSize;
            assertThat(deferred.batchesAppliedAgain()).as("batches of %d applied again", batchSize)
                                                      .isLessThan(batches);
            if (batchSize == history.size()) {
                assertThat(deferred.batchesAppliedAgain()).as("one batch holds every creation").isZero();
            }
        }
    }

    /**
     * The deferred writer sends a batch's new rows as one array per column; values that array
     * text must escape or round (quotes, backslashes, braces, the word NULL, an empty string,
     * sub-microsecond times) land exactly as the ordinary writer binds them.
     */
    @Test
    void awkwardValues_leaveTheOrdinaryWritersRows() {
        UUID task = UuidV7.generate();
        UUID other = UuidV7.generate();
        Instant due = Instant.parse("2030-01-31T17:00:00.123456500Z");
        List<GenericDomainEventMessage<TaskEvent>> history = List.of(
                event(tenantA, task, new TaskCreated(task, tenantA, UUID.randomUUID(), TaskType.REVIEW,
                                                     "a \"quoted\" {title}, with \\ and ',' and é", "",
                                                     TaskPriority.HIGH, AssigneeType.USER, "NULL", due, "{}",
                                                     null, List.of(other), List.of(),
                                                     Map.of("k\"ey", "va\\lue", "nested", Map.of("x", List.of(1, 2))),
                                                     "NULL", TaskStatus.PENDING)),
                event(tenantA, other, new TaskCreated(other, tenantA, UUID.randomUUID(), TaskType.DECIDE, "plain",
                                                      null, TaskPriority.LOW, null, null,
                                                      Instant.parse("2030-01-31T17:00:00.000000499Z"), null, task,
                                                      List.of(), List.of(), Map.of(), "carol", TaskStatus.PENDING)),
                new GenericDomainEventMessage<>("Task", task.toString(), 1, new TaskAssigned(task, AssigneeType.USER,
                                                                                              "\"bob\""),
                                                EventStreams.metaData(tenantA), UUID.randomUUID().toString(),
                                                T0.plusNanos(1_500)));
        replay(new ProjectionReplayer(tasks.newInstance(new ReadModelWriter(jdbc, exactSchema)), tenantWrites),
               history, history.size());

        ProjectionReplayer deferred = ProjectionReplayer.deferred(tasks, jdbc, deferredSchema, tenantWrites);
        replay(deferred, history, history.size());

        assertThat(deferred.batchesAppliedAgain()).isZero();
        for (String table : tasks.tables()) {
            assertThat(rows(deferredSchema, table)).as(table).isEqualTo(rows(exactSchema, table));
        }
    }

    @Test
    void aValueTooLongForItsColumn_failsTheReplay_asTheOrdinaryWriterFails() {
        UUID task = UuidV7.generate();
        List<GenericDomainEventMessage<TaskEvent>> history = List.of(
                event(tenantA, task, TaskEvents.withFields(task, tenantA, UUID.randomUUID(), TaskType.PROVIDE,
                                                           "x".repeat(256), null)));
        Throwable expected = catchThrowable(() -> replay(
                new ProjectionReplayer(tasks.newInstance(new ReadModelWriter(jdbc, exactSchema)), tenantWrites),
                history, 1));
        assertThat(expected).isNotNull();

        ProjectionReplayer deferred = ProjectionReplayer.deferred(tasks, jdbc, deferredSchema, tenantWrites);
        Throwable failure = catchThrowable(() -> replay(deferred, history, 1));

        assertThat(failure).isInstanceOf(expected.getClass());
        assertThat(deferred.batchesAppliedAgain()).isEqualTo(1);
        assertThat(rows(deferredSchema, "tasks")).isEmpty();
    }

    @Test
    void anotherTenantsTaskId_failsTheReplay_asTheOrdinaryWriterFails_inTheSameBatchOrALaterOne() {
        UUID taken = UuidV7.generate();
        List<GenericDomainEventMessage<TaskEvent>> history = List.of(
                event(tenantA, taken, TaskEvents.created(taken, tenantA, UUID.randomUUID())),
                event(tenantB, UuidV7.generate(), TaskEvents.created(taken, tenantB, UUID.randomUUID())));
        Throwable expected = catchThrowable(() -> replay(
                new ProjectionReplayer(tasks.newInstance(new ReadModelWriter(jdbc, exactSchema)), tenantWrites),
                history, 1));
        assertThat(expected).isInstanceOf(IllegalStateException.class).hasMessageContaining("another tenant");

        for (int batchSize : new int[]{1, 2}) {
            owner.execute("TRUNCATE " + deferredSchema + ".tasks, " + deferredSchema + ".task_activity");
            Throwable failure = catchThrowable(() -> replay(
                    ProjectionReplayer.deferred(tasks, jdbc, deferredSchema, tenantWrites), history, batchSize));
            assertThat(failure).as("batches of %d", batchSize).isInstanceOf(IllegalStateException.class)
                               .hasMessage(expected.getMessage().replace(exactSchema, deferredSchema));
        }
    }

    @Test
    void aStringPostgresCannotStore_failsTheReplay_asTheOrdinaryWriterFails() {
        UUID task = UuidV7.generate();
        List<GenericDomainEventMessage<TaskEvent>> history = List.of(
                event(tenantA, task, TaskEvents.created(task, tenantA, UUID.randomUUID())),
                event(tenantA, task, new TaskBlocked(task, "waits\u0000on legal")));
        Throwable expected = catchThrowable(() -> replay(
                new ProjectionReplayer(tasks.newInstance(new ReadModelWriter(jdbc, exactSchema)), tenantWrites),
                history, 2));
        assertThat(expected).isNotNull();

        Throwable failure = catchThrowable(() -> replay(
                ProjectionReplayer.deferred(tasks, jdbc, deferredSchema, tenantWrites), history, 2));

        assertThat(failure).isInstanceOf(expected.getClass());
        assertThat(rows(deferredSchema, "tasks")).isEmpty();
    }

    /** Each batch in its own transaction, as a rebuild applies them. */
    private void replay(ProjectionReplayer replayer, List<GenericDomainEventMessage<TaskEvent>> events, int batchSize) {
        TransactionTemplate transactions = new TransactionTemplate(transactionManager);
        for (int from = 0; from < events.size(); from += batchSize) {
            List<GenericDomainEventMessage<TaskEvent>> batch = events.subList(from, Math.min(events.size(),
                                                                                         from + batchSize));
            transactions.executeWithoutResult(status -> replayer.apply(batch));
        }
    }

    /**
     * Two tenants' tasks interleaved, every kind of task event, redeliveries (the same event again
     * at once and much later), an event older than the row and a creation repeated under another
     * aggregate: whatever a store or a redelivering processor can hand a projection.
     */
    private List<GenericDomainEventMessage<TaskEvent>> mixedHistory() {
        UUID a1 = UuidV7.generate();
        UUID a2 = UuidV7.generate();
        UUID b1 = UuidV7.generate();
        UUID b2 = UuidV7.generate();
        UUID action = UuidV7.generate();
        UUID step = UuidV7.generate();
        UUID otherStep = UuidV7.generate();
        List<GenericDomainEventMessage<TaskEvent>> events = new ArrayList<>();
        events.add(event(tenantA, a1, TaskEvents.created(a1, tenantA, UUID.randomUUID())));
        events.add(event(tenantB, b1, TaskEvents.created(b1, tenantB, UUID.randomUUID())));
        events.add(events.get(0));
        events.add(event(tenantA, a1, new TaskAssigned(a1, AssigneeType.USER, "bob")));
        events.add(event(tenantB, b1, new StepAdded(b1, step, "draft")));
        events.add(event(tenantA, a1, new TaskStarted(a1)));
        events.add(event(tenantA, a1, new TaskActionAdded(a1, action, ActionType.values()[0], "Approve", null,
                                                          Map.of("form", List.of("a", "b")), 1)));
        events.add(event(tenantB, b1, new StepStarted(b1, step, 0)));
        events.add(event(tenantA, a1, new ActionSubmitted(a1, action, UuidV7.generate(), "key-1",
                                                          Map.of("answer", "yes"), "bob")));
        events.add(event(tenantA, a1, new StepAdded(a1, step, "same step id, another task")));
        events.add(event(tenantB, b1, new StepFailed(b1, step, "timeout")));
        events.add(event(tenantB, b1, new StepStarted(b1, step, 1)));
        events.add(event(tenantA, a2, TaskEvents.blockedBy(a2, tenantA, UUID.randomUUID(), List.of(a1, b1))));
        events.add(event(tenantA, a1, new TaskTargetAdded(a1, UuidV7.generate(), TargetType.values()[0],
                                                          UUID.randomUUID(), Map.of())));
        events.add(event(tenantB, b1, new StepCompleted(b1, step, "done")));
        events.add(event(tenantA, a1, new StepStarted(a1, step, 0)));
        events.add(event(tenantA, a1, new TaskCompleted(a1, "shipped", "bob")));
        events.add(event(tenantA, a2, new TaskDependencyResolved(a2, a1, List.of(b1), TaskStatus.BLOCKED)));
        events.add(events.get(3));
        events.add(event(tenantB, b2, TaskEvents.withFields(b2, tenantB, UUID.randomUUID(), TaskType.PROVIDE,
                                                            "carol", b1)));
        events.add(event(tenantB, b2, new TaskBlocked(b2, "legal")));
        events.add(event(tenantB, b2, new StepAdded(b2, otherStep, "review")));
        events.add(event(tenantA, a2, new TaskDependencyResolved(a2, b1, List.of(), TaskStatus.PENDING)));
        events.add(new GenericDomainEventMessage<>("Task", b2.toString(), 1, new TaskStarted(b2),
                                                   EventStreams.metaData(tenantB), UUID.randomUUID().toString(),
                                                   T0.plusSeconds(999)));
        events.add(event(tenantB, b2, new TaskUnblocked(b2, TaskStatus.IN_PROGRESS)));
        events.add(event(tenantB, UuidV7.generate(), TaskEvents.created(b2, tenantB, UUID.randomUUID())));
        events.add(event(tenantB, b1, new TaskCompleted(b1, null, "carol")));
        return events;
    }

    /** The next event of {@code aggregate}, each a millisecond after the one before. */
    private GenericDomainEventMessage<TaskEvent> event(UUID tenant, UUID aggregate, TaskEvent payload) {
        long sequence = sequences.merge(aggregate, 1L, Long::sum) - 1;
        return new GenericDomainEventMessage<>("Task", aggregate.toString(), sequence, payload,
                                               EventStreams.metaData(tenant), UUID.randomUUID().toString(),
                                               T0.plusMillis(++millis));
    }

    private List<String> rows(String schema, String table) {
        return owner.queryForList("SELECT to_jsonb(t)::text FROM " + schema + "." + table + " t ORDER BY 1",
                                  String.class);
    }
}
