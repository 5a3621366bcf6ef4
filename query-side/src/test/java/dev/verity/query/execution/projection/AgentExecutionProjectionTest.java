package dev.verity.query.execution.projection;

import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.common.UuidV7;
import dev.verity.events.execution.AgentDescriptor;
import dev.verity.events.execution.AgentExecutionEvent.BudgetLimitReached;
import dev.verity.events.execution.AgentExecutionEvent.BudgetWarningReached;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointCreated;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointExpired;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCompleted;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionFailed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionPaused;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionResumed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.LimitsRaised;
import dev.verity.events.execution.AgentExecutionEvent.StepAdvanced;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetLimit;
import dev.verity.events.execution.BudgetState;
import dev.verity.events.execution.CheckpointState;
import dev.verity.query.EventStreams;
import dev.verity.query.execution.ExecutionStreams;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The live `executions` processor: events appended to the real event store, rows read back from PostgreSQL. */
class AgentExecutionProjectionTest extends ExecutionStreams {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID executionId = UuidV7.generate();

    private Map<String, Object> row() {
        return owner.queryForMap("""
                SELECT tenant_id, execution_id, project_id, status, strategy, agents::text AS agents, current_step,
                       total_steps, started_at IS NOT NULL AS started, completed_at IS NOT NULL AS completed,
                       tokens_used, tokens_limit, cost_incurred, cost_limit, warning_threshold, on_limit_reached,
                       budget_state, intermediate_results::text AS results, final_result::text AS final_result,
                       error::text AS error, created_by, version
                  FROM read_model.agent_executor_state WHERE id = ?""", executionId);
    }

    private List<Map<String, Object>> checkpoints() {
        return owner.queryForList("SELECT id, step_index, step_name, state::text AS state, expires_at"
                                  + " FROM read_model.checkpoint_snapshots WHERE execution_id = ? ORDER BY sequence_number",
                                  executionId);
    }

    @Test
    void executionCreated_insertsTheRow_pending_withItsLimitsAndPolicy() {
        awaitExecutionVersion(executionId, append(tenant, created(executionId, tenant, project)));

        assertThat(row()).containsEntry("tenant_id", tenant)
                         .containsEntry("execution_id", executionId)
                         .containsEntry("project_id", project)
                         .containsEntry("status", "pending")
                         .containsEntry("strategy", "sequential")
                         .containsEntry("agents", "[{\"name\": \"planner\", \"role\": \"lead\", \"status\": \"idle\"}]")
                         .containsEntry("current_step", 0)
                         .containsEntry("total_steps", 3)
                         .containsEntry("tokens_used", 0)
                         .containsEntry("tokens_limit", 1000)
                         .containsEntry("cost_incurred", new BigDecimal("0.0000"))
                         .containsEntry("cost_limit", new BigDecimal("10.0000"))
                         .containsEntry("warning_threshold", new BigDecimal("0.80"))
                         .containsEntry("on_limit_reached", "pause")
                         .containsEntry("budget_state", "ok")
                         .containsEntry("results", "{}")
                         .containsEntry("created_by", EventStreams.ACTOR_ID)
                         .containsEntry("version", 0L);
    }

    @Test
    void lifecycle_startStepsUsageComplete_projectsEveryColumn() {
        List<AgentDescriptor> agents = List.of(new AgentDescriptor("writer", "author", "busy"));
        long version = append(tenant, created(executionId, tenant, project), new ExecutionStarted(executionId),
                              new StepAdvanced(executionId, 1, "research", null, Map.of("sources", 3)),
                              new StepAdvanced(executionId, 2, "draft", agents, Map.of("outline", "v1", "sources", 4)),
                              new UsageRecorded(executionId, 850, new BigDecimal("0.1234"), "writer", 850,
                                                new BigDecimal("0.1234"), BudgetState.WARNING),
                              new BudgetWarningReached(executionId, BudgetLimit.TOKENS, 850, new BigDecimal("0.1234")),
                              new ExecutionCompleted(executionId, Map.of("answer", 42)));
        awaitExecutionVersion(executionId, version);

        assertThat(row()).containsEntry("status", "completed")
                         .containsEntry("started", true)
                         .containsEntry("completed", true)
                         .containsEntry("current_step", 2)
                         .containsEntry("agents", "[{\"name\": \"writer\", \"role\": \"author\", \"status\": \"busy\"}]")
                         .containsEntry("results", "{\"outline\": \"v1\", \"sources\": 4}")
                         .containsEntry("tokens_used", 850)
                         .containsEntry("cost_incurred", new BigDecimal("0.1234"))
                         .containsEntry("budget_state", "warning")
                         .containsEntry("final_result", "{\"answer\": 42}")
                         .containsEntry("version", 6L);
    }

    @Test
    void limitReachedAndFailed_recordTheErrorAndState_thenRaisedLimitsResetIt() {
        long version = append(tenant, created(executionId, tenant, project), new ExecutionStarted(executionId),
                              new UsageRecorded(executionId, 1000, BigDecimal.ZERO, null, 1000, BigDecimal.ZERO,
                                                BudgetState.EXCEEDED),
                              new BudgetLimitReached(executionId, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO,
                                                     OnLimitReached.PAUSE),
                              new ExecutionPaused(executionId, "budget_exceeded"),
                              new LimitsRaised(executionId, 5000, new BigDecimal("20.0000"), BudgetState.OK),
                              new ExecutionResumed(executionId, null, null, null),
                              new ExecutionFailed(executionId, Map.of("code", "budget_exceeded")));
        awaitExecutionVersion(executionId, version);

        assertThat(row()).containsEntry("status", "failed")
                         .containsEntry("tokens_limit", 5000)
                         .containsEntry("cost_limit", new BigDecimal("20.0000"))
                         .containsEntry("budget_state", "ok")
                         .containsEntry("error", "{\"code\": \"budget_exceeded\"}")
                         .containsEntry("completed", true);
    }

    @Test
    void checkpoints_areInsertedWithTheirState_resumeRestoresOne_andExpiryRemovesIt() {
        UUID first = UuidV7.generate();
        UUID second = UuidV7.generate();
        Instant expiresAt = Instant.parse("2030-01-01T00:00:00Z");
        CheckpointState state = new CheckpointState(List.of("research"), List.of("draft"), Map.of("outline", "v1"),
                                                    Map.of(), 10, new BigDecimal("0.1000"));
        long version = append(tenant, created(executionId, tenant, project), new ExecutionStarted(executionId),
                              new StepAdvanced(executionId, 1, "research", null, null),
                              new CheckpointCreated(executionId, first, 1, "research", state, expiresAt),
                              new CheckpointCreated(executionId, second, 1, "again", state, expiresAt),
                              new StepAdvanced(executionId, 2, "draft", null, Map.of("outline", "v2", "extra", 1)),
                              new ExecutionPaused(executionId, "requested"),
                              new ExecutionResumed(executionId, first, 1, Map.of("outline", "v1")),
                              new CheckpointExpired(executionId, first));
        awaitExecutionVersion(executionId, version);

        assertThat(row()).containsEntry("status", "running")
                         .containsEntry("current_step", 1)
                         .containsEntry("results", "{\"outline\": \"v1\"}");
        List<Map<String, Object>> live = checkpoints();
        assertThat(live).hasSize(1);
        assertThat(live.get(0)).containsEntry("id", second).containsEntry("step_index", 1)
                               .containsEntry("step_name", "again")
                               .containsEntry("expires_at", java.sql.Timestamp.from(expiresAt));
        assertThat((String) live.get(0).get("state")).contains("\"completedSteps\": [\"research\"]",
                                                               "\"tokensUsed\": 10", "\"costIncurred\": 0.1000");
    }

    @Test
    void twoTenants_withTheSameCheckpointId_keepTheirOwnRows() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherExecution = UuidV7.generate();
        UUID checkpoint = UuidV7.generate();
        CheckpointState state = new CheckpointState(List.of(), List.of(), Map.of(), Map.of(), 0, BigDecimal.ZERO);
        Instant expiresAt = Instant.parse("2030-01-01T00:00:00Z");
        awaitExecutionVersion(executionId, append(tenant, created(executionId, tenant, project),
                                                  new ExecutionStarted(executionId),
                                                  new CheckpointCreated(executionId, checkpoint, 0, "a", state, expiresAt)));
        awaitExecutionVersion(otherExecution, append(otherTenant, created(otherExecution, otherTenant, project),
                                                     new ExecutionStarted(otherExecution),
                                                     new CheckpointCreated(otherExecution, checkpoint, 0, "b", state,
                                                                           expiresAt)));

        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.checkpoint_snapshots WHERE id = ?", Long.class,
                                        checkpoint)).isEqualTo(2);
        assertThat(owner.queryForObject("SELECT count(*) FROM event_store.dead_letter_entry WHERE aggregate_identifier"
                                        + " IN (?, ?)", Long.class, executionId.toString(), otherExecution.toString()))
                .isZero();
    }
}
