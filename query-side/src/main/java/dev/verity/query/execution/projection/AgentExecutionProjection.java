package dev.verity.query.execution.projection;

import dev.verity.events.execution.AgentExecutionEvent.BudgetLimitReached;
import dev.verity.events.execution.AgentExecutionEvent.BudgetWarningReached;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointCreated;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointExpired;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCompleted;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCreated;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionFailed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionPaused;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionResumed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.LimitsRaised;
import dev.verity.events.execution.AgentExecutionEvent.StepAdvanced;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetState;
import dev.verity.events.execution.ExecutionStatus;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static dev.verity.query.platform.projection.SqlValues.json;
import static dev.verity.query.platform.projection.SqlValues.jsonObject;
import static dev.verity.query.platform.projection.SqlValues.time;
import static dev.verity.query.platform.projection.SqlValues.wire;

/**
 * Rebuilds seed 001 {@code agent_executor_state} and {@code checkpoint_snapshots} from
 * AgentExecution events. The execution row's {@code id} is its {@code execution_id}, and its
 * {@code version} the sequence number of the last event applied (see {@link ReadModelWriter}).
 * {@code checkpoint_snapshots} holds the live checkpoints only: an expiry removes the row, while
 * the event store keeps every checkpoint for history and as-of.
 */
@ProcessingGroup(AgentExecutionProjection.PROCESSING_GROUP)
public class AgentExecutionProjection {

    public static final String PROCESSING_GROUP = "executions";

    private static final String EXECUTIONS = "agent_executor_state";
    private static final String CHECKPOINTS = "checkpoint_snapshots";

    private final ReadModelWriter writer;

    public AgentExecutionProjection(ReadModelWriter writer) {
        this.writer = writer;
    }

    @EventHandler
    public void on(ExecutionCreated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.insert(EXECUTIONS, new MapSqlParameterSource()
                .addValue("id", e.executionId())
                .addValue("tenant_id", e.tenantId())
                .addValue("execution_id", e.executionId())
                .addValue("project_id", e.projectId())
                .addValue("status", ExecutionStatus.PENDING.wire())
                .addValue("strategy", e.strategy())
                .addValue("agents", json(e.agents() == null ? List.of() : e.agents()))
                .addValue("total_steps", e.totalSteps())
                .addValue("tokens_limit", e.tokensLimit())
                .addValue("cost_limit", e.costLimit())
                .addValue("warning_threshold", e.warningThreshold())
                .addValue("on_limit_reached", wire(e.onLimitReached()))
                .addValue("created_by", e.createdBy())
                .addValue("created_at", time(at))
                .addValue("updated_at", time(at))
                .addValue("version", version));
    }

    @EventHandler
    public void on(ExecutionStarted e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource()
                .addValue("status", ExecutionStatus.RUNNING.wire())
                .addValue("started_at", time(at)));
    }

    /** New agents replace the list; new intermediate results are merged into the stored ones key by key. */
    @EventHandler
    public void on(StepAdvanced e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.executionId(), version, at).ifPresent(tenant -> {
            MapSqlParameterSource columns = new MapSqlParameterSource("current_step", e.currentStep());
            if (e.agents() != null) {
                columns.addValue("agents", json(e.agents()));
            }
            writer.update(EXECUTIONS, execution(tenant, e.executionId()), columns);
            if (e.intermediateResults() != null) {
                writer.batch("UPDATE {schema}.agent_executor_state SET intermediate_results = intermediate_results || :results"
                             + " WHERE tenant_id = :tenant_id AND id = :id",
                             List.of(execution(tenant, e.executionId())
                                             .addValue("results", jsonObject(e.intermediateResults()))));
            }
        });
    }

    @EventHandler
    public void on(ExecutionPaused e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource("status", ExecutionStatus.PAUSED.wire()));
    }

    @EventHandler
    public void on(ExecutionResumed e, @SequenceNumber long version, @Timestamp Instant at) {
        MapSqlParameterSource columns = new MapSqlParameterSource("status", ExecutionStatus.RUNNING.wire());
        if (e.checkpointId() != null) {
            columns.addValue("current_step", e.currentStep())
                   .addValue("intermediate_results", jsonObject(e.intermediateResults()));
        }
        change(e.executionId(), version, at, columns);
    }

    @EventHandler
    public void on(ExecutionCompleted e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource()
                .addValue("status", ExecutionStatus.COMPLETED.wire())
                .addValue("final_result", json(e.finalResult()))
                .addValue("completed_at", time(at)));
    }

    @EventHandler
    public void on(ExecutionFailed e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource()
                .addValue("status", ExecutionStatus.FAILED.wire())
                .addValue("error", json(e.error()))
                .addValue("completed_at", time(at)));
    }

    @EventHandler
    public void on(UsageRecorded e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource()
                .addValue("tokens_used", e.tokensUsed())
                .addValue("cost_incurred", e.costIncurred())
                .addValue("budget_state", wire(e.budgetState())));
    }

    /** The state is already on the row from the usage report; the crossing itself is history. */
    @EventHandler
    public void on(BudgetWarningReached e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.executionId(), version, at);
    }

    @EventHandler
    public void on(BudgetLimitReached e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource("budget_state", BudgetState.EXCEEDED.wire()));
    }

    @EventHandler
    public void on(LimitsRaised e, @SequenceNumber long version, @Timestamp Instant at) {
        change(e.executionId(), version, at, new MapSqlParameterSource()
                .addValue("tokens_limit", e.tokensLimit())
                .addValue("cost_limit", e.costLimit())
                .addValue("budget_state", wire(e.budgetState())));
    }

    @EventHandler
    public void on(CheckpointCreated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.executionId(), version, at).ifPresent(tenant ->
                writer.insertChild(CHECKPOINTS, new MapSqlParameterSource()
                        .addValue("id", e.checkpointId())
                        .addValue("tenant_id", tenant)
                        .addValue("execution_id", e.executionId())
                        .addValue("step_index", e.stepIndex())
                        .addValue("step_name", e.stepName())
                        .addValue("state", json(e.state()))
                        .addValue("sequence_number", version)
                        .addValue("created_at", time(at))
                        .addValue("expires_at", time(e.expiresAt()))));
    }

    @EventHandler
    public void on(CheckpointExpired e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.executionId(), version, at).ifPresent(tenant ->
                writer.batch("DELETE FROM {schema}.checkpoint_snapshots"
                             + " WHERE tenant_id = :tenant_id AND execution_id = :execution_id AND id = :id",
                             List.of(new MapSqlParameterSource("tenant_id", tenant)
                                             .addValue("execution_id", e.executionId())
                                             .addValue("id", e.checkpointId()))));
    }

    private void change(UUID executionId, long version, Instant at, MapSqlParameterSource columns) {
        writer.advance(EXECUTIONS, executionId, version, at)
              .ifPresent(tenant -> writer.update(EXECUTIONS, execution(tenant, executionId), columns));
    }

    private static MapSqlParameterSource execution(UUID tenant, UUID executionId) {
        return new MapSqlParameterSource("tenant_id", tenant).addValue("id", executionId);
    }
}
