package dev.verity.command.kit;

import dev.verity.events.kit.KitOutputStatus;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

/**
 * Every command on a kit execution names its tenant (an execution of another tenant is treated as
 * unknown) and may carry the version the caller last saw ({@code If-Match}); null means "whatever
 * it is now".
 */
sealed interface KitExecutionCommand {

    UUID kitExecutionId();

    UUID tenantId();

    Long expectedVersion();

    record CreateKitExecution(@TargetAggregateIdentifier UUID kitExecutionId, UUID tenantId, UUID projectId,
                              String userId, UUID kitDefinitionId, String kitId, String kitVersion,
                              Map<String, Object> inputSnapshot, String workflowRunId, String inngestRunId)
            implements KitExecutionCommand {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record StartKitExecution(@TargetAggregateIdentifier UUID kitExecutionId, UUID tenantId, Long expectedVersion)
            implements KitExecutionCommand {
    }

    /** {@code outputRowId} is the id the output's row gets; {@code outputId} is the kit's own name for it. */
    record RecordKitOutput(@TargetAggregateIdentifier UUID kitExecutionId, UUID tenantId, Long expectedVersion,
                           UUID outputRowId, String outputId, String filename, String outputType,
                           KitOutputStatus status, int validationErrors, int validationWarnings,
                           int validationAutoFixed, int repairAttempts, Map<String, Object> validationDetails,
                           String contentPath, Integer contentSizeBytes, String contentHash, int tokenUsagePrompt,
                           int tokenUsageCompletion) implements KitExecutionCommand {
    }

    record CompleteKitExecution(@TargetAggregateIdentifier UUID kitExecutionId, UUID tenantId, Long expectedVersion,
                                BigDecimal estimatedCostUsd, String bundlePath, Integer bundleSizeBytes)
            implements KitExecutionCommand {
    }

    record FailKitExecution(@TargetAggregateIdentifier UUID kitExecutionId, UUID tenantId, Long expectedVersion,
                            String errorMessage, String errorStep, Map<String, Object> errorDetails)
            implements KitExecutionCommand {
    }
}
