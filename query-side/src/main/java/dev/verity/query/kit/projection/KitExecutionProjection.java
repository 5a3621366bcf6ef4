package dev.verity.query.kit.projection;

import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCreated;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionFailed;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionEvent.KitOutputRecorded;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import static dev.verity.query.platform.projection.SqlValues.json;
import static dev.verity.query.platform.projection.SqlValues.time;
import static dev.verity.query.platform.projection.SqlValues.wire;

/**
 * Rebuilds {@code kit_executions} and {@code kit_execution_outputs} (seed 001) from KitExecution
 * events. The execution row's {@code version} is the sequence number of the last event applied to
 * it: every event first advances it and is applied only if that succeeds, so replays and
 * redeliveries change nothing (see {@link ReadModelWriter}).
 * <p>
 * What the client never reports is derived here: {@code output_count}, {@code outputs_valid},
 * {@code outputs_warnings} and {@code outputs_failed} count the recorded outputs,
 * {@code token_usage_prompt} and {@code token_usage_completion} sum theirs and
 * {@code token_usage_total} is both, and {@code execution_time_ms} is the time from the start
 * event to the event that ended the run. A run time the INTEGER column cannot hold truthfully
 * (over 24.8 days, or negative when the clocks of two command nodes disagree) is left NULL;
 * {@code started_at} and {@code completed_at} still say what happened.
 * <p>
 * Outputs are keyed and addressed by tenant, execution and id.
 */
@ProcessingGroup(KitExecutionProjection.PROCESSING_GROUP)
public class KitExecutionProjection {

    public static final String PROCESSING_GROUP = "kit-executions";

    private static final String EXECUTIONS = "kit_executions";
    private static final String OUTPUTS = "kit_execution_outputs";

    private final ReadModelWriter writer;

    public KitExecutionProjection(ReadModelWriter writer) {
        this.writer = writer;
    }

    @EventHandler
    public void on(KitExecutionCreated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.insert(EXECUTIONS, new MapSqlParameterSource()
                .addValue("id", e.kitExecutionId())
                .addValue("tenant_id", e.tenantId())
                .addValue("project_id", e.projectId())
                .addValue("user_id", e.userId())
                .addValue("kit_definition_id", e.kitDefinitionId())
                .addValue("kit_id", e.kitId())
                .addValue("kit_version", e.kitVersion())
                .addValue("status", KitExecutionStatus.PENDING.wire())
                .addValue("input_snapshot", json(e.inputSnapshot()))
                .addValue("workflow_run_id", e.workflowRunId())
                .addValue("inngest_run_id", e.inngestRunId())
                .addValue("created_at", time(at))
                .addValue("updated_at", time(at))
                .addValue("version", version));
    }

    @EventHandler
    public void on(KitExecutionStarted e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.kitExecutionId(), version, at).ifPresent(tenant ->
                writer.update(EXECUTIONS, execution(tenant, e.kitExecutionId()), new MapSqlParameterSource()
                        .addValue("status", KitExecutionStatus.RUNNING.wire())
                        .addValue("started_at", time(at))));
    }

    @EventHandler
    public void on(KitOutputRecorded e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.kitExecutionId(), version, at).ifPresent(tenant -> {
            writer.insertChild(OUTPUTS, new MapSqlParameterSource()
                    .addValue("id", e.outputRowId())
                    .addValue("tenant_id", tenant)
                    .addValue("execution_id", e.kitExecutionId())
                    .addValue("output_id", e.outputId())
                    .addValue("filename", e.filename())
                    .addValue("output_type", e.outputType())
                    .addValue("status", wire(e.status()))
                    .addValue("validation_errors", e.validationErrors())
                    .addValue("validation_warnings", e.validationWarnings())
                    .addValue("validation_auto_fixed", e.validationAutoFixed())
                    .addValue("repair_attempts", e.repairAttempts())
                    .addValue("validation_details", json(e.validationDetails()))
                    .addValue("content_path", e.contentPath())
                    .addValue("content_size_bytes", e.contentSizeBytes())
                    .addValue("content_hash", e.contentHash())
                    .addValue("token_usage_prompt", e.tokenUsagePrompt())
                    .addValue("token_usage_completion", e.tokenUsageCompletion())
                    .addValue("sequence_number", version)
                    .addValue("created_at", time(at)));
            writer.increment(EXECUTIONS, execution(tenant, e.kitExecutionId()), new MapSqlParameterSource()
                    .addValue("output_count", 1)
                    .addValue("outputs_valid", e.status() == KitOutputStatus.VALID ? 1 : 0)
                    .addValue("outputs_warnings", e.status() == KitOutputStatus.WARNINGS ? 1 : 0)
                    .addValue("outputs_failed", e.status() == KitOutputStatus.FAILED ? 1 : 0)
                    .addValue("token_usage_prompt", e.tokenUsagePrompt())
                    .addValue("token_usage_completion", e.tokenUsageCompletion())
                    .addValue("token_usage_total", e.tokenUsagePrompt() + e.tokenUsageCompletion()));
        });
    }

    @EventHandler
    public void on(KitExecutionCompleted e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.kitExecutionId(), version, at).ifPresent(tenant ->
                writer.update(EXECUTIONS, execution(tenant, e.kitExecutionId()), new MapSqlParameterSource()
                        .addValue("status", wire(e.status()))
                        .addValue("completed_at", time(at))
                        .addValue("execution_time_ms", executionTimeMs(tenant, e.kitExecutionId(), at))
                        .addValue("estimated_cost_usd", e.estimatedCostUsd())
                        .addValue("bundle_path", e.bundlePath())
                        .addValue("bundle_size_bytes", e.bundleSizeBytes())));
    }

    @EventHandler
    public void on(KitExecutionFailed e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(EXECUTIONS, e.kitExecutionId(), version, at).ifPresent(tenant ->
                writer.update(EXECUTIONS, execution(tenant, e.kitExecutionId()), new MapSqlParameterSource()
                        .addValue("status", KitExecutionStatus.FAILED.wire())
                        .addValue("completed_at", time(at))
                        .addValue("execution_time_ms", executionTimeMs(tenant, e.kitExecutionId(), at))
                        .addValue("error_message", e.errorMessage())
                        .addValue("error_step", e.errorStep())
                        .addValue("error_details", json(e.errorDetails()))));
    }

    /** From the stored start (null for a run that failed before it started) to {@code endedAt}. */
    private Integer executionTimeMs(UUID tenant, UUID kitExecutionId, Instant endedAt) {
        OffsetDateTime startedAt = writer.value(EXECUTIONS, execution(tenant, kitExecutionId), "started_at",
                                                OffsetDateTime.class);
        if (startedAt == null) {
            return null;
        }
        long millis = Duration.between(startedAt.toInstant(), endedAt).toMillis();
        return millis < 0 || millis > Integer.MAX_VALUE ? null : (int) millis;
    }

    private static MapSqlParameterSource execution(UUID tenant, UUID kitExecutionId) {
        return new MapSqlParameterSource("tenant_id", tenant).addValue("id", kitExecutionId);
    }
}
