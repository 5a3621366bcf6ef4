package dev.verity.events.kit;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

/**
 * Everything that can happen to a kit execution (one run of a kit, seed 001 {@code kit_executions}
 * with its {@code kit_execution_outputs}), in the past tense. Stored as JSON in the event store and
 * never rewritten: add fields with defaults or new event types, never change these.
 * <p>
 * The client reports what the run did; the figures it does not report (how many outputs, of which
 * status, tokens summed over them, how long the run took) are derived by the projection from
 * these events. Decisions are made by the aggregate and carried here: {@link KitExecutionCompleted}
 * says whether the run ended {@code completed} or {@code partial}.
 */
public sealed interface KitExecutionEvent {

    UUID kitExecutionId();

    /** {@code userId} is the actor who asked for the run (the token's subject). */
    record KitExecutionCreated(UUID kitExecutionId,
                               UUID tenantId,
                               UUID projectId,
                               String userId,
                               UUID kitDefinitionId,
                               String kitId,
                               String kitVersion,
                               Map<String, Object> inputSnapshot,
                               String workflowRunId,
                               String inngestRunId) implements KitExecutionEvent {
    }

    record KitExecutionStarted(UUID kitExecutionId) implements KitExecutionEvent {
    }

    /**
     * One output file and how it validated. {@code outputRowId} is the row's own id, chosen when
     * the output was recorded; {@code outputId} is the kit's name for the output, unique within
     * the execution.
     */
    record KitOutputRecorded(UUID kitExecutionId,
                             UUID outputRowId,
                             String outputId,
                             String filename,
                             String outputType,
                             KitOutputStatus status,
                             int validationErrors,
                             int validationWarnings,
                             int validationAutoFixed,
                             int repairAttempts,
                             Map<String, Object> validationDetails,
                             String contentPath,
                             Integer contentSizeBytes,
                             String contentHash,
                             int tokenUsagePrompt,
                             int tokenUsageCompletion) implements KitExecutionEvent {
    }

    /** {@code status} is {@code COMPLETED}, or {@code PARTIAL} when any output failed validation. */
    record KitExecutionCompleted(UUID kitExecutionId,
                                 KitExecutionStatus status,
                                 BigDecimal estimatedCostUsd,
                                 String bundlePath,
                                 Integer bundleSizeBytes) implements KitExecutionEvent {
    }

    record KitExecutionFailed(UUID kitExecutionId,
                              String errorMessage,
                              String errorStep,
                              Map<String, Object> errorDetails) implements KitExecutionEvent {
    }
}
