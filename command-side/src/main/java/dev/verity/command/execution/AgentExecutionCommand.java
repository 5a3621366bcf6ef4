package dev.verity.command.execution;

import dev.verity.events.execution.AgentDescriptor;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every command on an agent execution names its tenant (another tenant's execution is unknown)
 * and may carry the version the caller last saw ({@code If-Match}); null means "whatever it is now".
 * Numbers arrive as the client sent them (Long, BigDecimal) so that the aggregate, not a silent
 * conversion, decides whether the column can hold them.
 */
sealed interface AgentExecutionCommand {

    UUID executionId();

    UUID tenantId();

    Long expectedVersion();

    record CreateExecution(@TargetAggregateIdentifier UUID executionId, UUID tenantId, UUID projectId, String strategy,
                           List<AgentDescriptor> agents, Long totalSteps, Long tokensLimit, BigDecimal costLimit,
                           String createdBy) implements AgentExecutionCommand {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record StartExecution(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion)
            implements AgentExecutionCommand {
    }

    record AdvanceStep(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion,
                       String stepName, List<AgentDescriptor> agents, Map<String, Object> intermediateResults)
            implements AgentExecutionCommand {
    }

    record PauseExecution(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion)
            implements AgentExecutionCommand {
    }

    record ResumeExecution(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion,
                           UUID checkpointId) implements AgentExecutionCommand {
    }

    record CompleteExecution(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion,
                             Map<String, Object> finalResult) implements AgentExecutionCommand {
    }

    record FailExecution(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion,
                         Map<String, Object> error) implements AgentExecutionCommand {
    }

    record ReportUsage(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion, Long tokens,
                       BigDecimal costUsd, String agent) implements AgentExecutionCommand {
    }

    record RaiseLimits(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion,
                       Long tokensLimit, BigDecimal costLimit) implements AgentExecutionCommand {
    }

    /** {@code ttl} is the request's, or the configured default. */
    record CreateCheckpoint(@TargetAggregateIdentifier UUID executionId, UUID tenantId, Long expectedVersion,
                            UUID checkpointId, Long stepIndex, String stepName, CheckpointContent state, Duration ttl)
            implements AgentExecutionCommand {
    }

    /** What a client puts in a checkpoint's state; the usage totals are the aggregate's to add. */
    record CheckpointContent(List<String> completedSteps, List<String> pendingSteps,
                             Map<String, Object> intermediateResults, Map<String, Object> agentStates) {
    }
}
