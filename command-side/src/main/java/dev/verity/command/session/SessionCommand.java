package dev.verity.command.session;

import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionPhase;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every command on a session names its tenant (a session of another tenant is treated as
 * unknown) and may carry the version the caller last saw ({@code If-Match}); null means
 * "whatever it is now". Obligations are addressed by their key within the session.
 */
sealed interface SessionCommand {

    UUID sessionId();

    UUID tenantId();

    Long expectedVersion();

    record StartSession(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, UUID projectId, UUID objectiveId,
                        String createdBy) implements SessionCommand {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record RecordTurn(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                      Map<String, Object> workingMemorySnapshot) implements SessionCommand {
    }

    record ChangePhase(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                       SessionPhase phase) implements SessionCommand {
    }

    record CompleteSession(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                           String completedBy) implements SessionCommand {
    }

    record AbandonSession(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                          String abandonedBy) implements SessionCommand {
    }

    /** What defines one obligation; shared by adding one and by the parts of a split. */
    record ObligationSpec(String key, String description, String collectionType, String widgetType,
                          List<String> dependencies, String source, String originLayer, UUID originSourceId,
                          String poolId, Integer taskPriority, String category, String fieldPath,
                          String satisfiedWhen, String expertiseRequired, String followUpStrategy,
                          Integer maxAttempts) {
    }

    record AddObligation(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                         UUID obligationId, ObligationSpec obligation) implements SessionCommand {
    }

    record RecordAttempt(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion, String key)
            implements SessionCommand {
    }

    /** {@code extractedValue} is any JSON value; {@code confidence} is optional. */
    record ExtractValue(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion, String key,
                        Object extractedValue, BigDecimal confidence, String source) implements SessionCommand {
    }

    record Negotiate(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion, String key,
                     Map<String, Object> negotiationState) implements SessionCommand {
    }

    record ChangeObligationStatus(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                                  String key, ObligationStatus status, String agentNotes) implements SessionCommand {
    }

    record MergeObligations(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                            List<String> sourceKeys, String intoKey) implements SessionCommand {
    }

    /** {@code obligationIds} are the new parts' ids, in the order of {@code into}. */
    record SplitObligation(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion,
                           String key, List<ObligationSpec> into, List<UUID> obligationIds) implements SessionCommand {
    }

    /** A primitive array: the command guard sees it as one value; the controller checks every element. */
    record SetEmbedding(@TargetAggregateIdentifier UUID sessionId, UUID tenantId, Long expectedVersion, String key,
                        float[] embedding) implements SessionCommand {
    }
}
