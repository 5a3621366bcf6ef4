package dev.verity.query.execution;

import dev.verity.events.budget.BudgetEvent;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.execution.AgentDescriptor;
import dev.verity.events.execution.AgentExecutionEvent;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCreated;
import dev.verity.query.EventStreams;
import dev.verity.query.audit.AuditTest;
import org.awaitility.Awaitility;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends AgentExecution and Budget events to the real event store as the command side would
 * (aggregate type, metadata, one millisecond apart), for the execution and budget read-model tests.
 */
public abstract class ExecutionStreams extends AuditTest {

    public static final List<AgentDescriptor> AGENTS = List.of(new AgentDescriptor("planner", "lead", "idle"));

    private final Map<UUID, AtomicLong> sequences = new ConcurrentHashMap<>();

    protected static ExecutionCreated created(UUID executionId, UUID tenantId, UUID projectId) {
        return new ExecutionCreated(executionId, tenantId, projectId, "sequential", AGENTS, 3, 1000,
                                    new BigDecimal("10.0000"), new BigDecimal("0.80"), OnLimitReached.PAUSE,
                                    EventStreams.ACTOR_ID);
    }

    /** Appends the events of one execution in order and returns the last one's sequence number. */
    protected long append(UUID tenantId, AgentExecutionEvent... events) {
        return appendAll("AgentExecution", events[0].executionId(), tenantId, (Object[]) events);
    }

    protected long append(UUID tenantId, BudgetEvent... events) {
        return appendAll("Budget", events[0].budgetId(), tenantId, (Object[]) events);
    }

    private long appendAll(String type, UUID id, UUID tenantId, Object... events) {
        AtomicLong sequence = sequences.computeIfAbsent(id, key -> new AtomicLong());
        long last = -1;
        for (Object event : events) {
            last = sequence.getAndIncrement();
            append(type, id, last, event, EventStreams.metaData(tenantId));
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return last;
    }

    protected void awaitExecutionVersion(UUID executionId, long version) {
        awaitVersion("agent_executor_state", executionId, version);
    }

    protected void awaitBudgetVersion(UUID budgetId, long version) {
        awaitVersion("budget_limits", budgetId, version);
    }

    private void awaitVersion(String table, UUID id, long version) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                  .until(() -> owner.queryForList("SELECT version FROM read_model." + table + " WHERE id = ?",
                                                  Long.class, id).stream().anyMatch(v -> v >= version));
    }
}
