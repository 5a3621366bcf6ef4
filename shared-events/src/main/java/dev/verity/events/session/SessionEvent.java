package dev.verity.events.session;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything that can happen to an elicitation session and the obligations it holds, in the
 * past tense. Stored as JSON and never rewritten. Events carry the decisions already made (the
 * new attempt count, the session's completeness after the change, the dependency lists a merge
 * or split rewrote) so that projections and event sourcing handlers only assign.
 * <p>
 * {@code turnNumber} is the session's turn count when the event happened; obligations are named
 * by their {@code key}, unique within the session.
 */
public sealed interface SessionEvent {

    UUID sessionId();

    record SessionStarted(UUID sessionId, UUID tenantId, UUID projectId, UUID objectiveId, String createdBy,
                          SessionPhase phase) implements SessionEvent {
    }

    /** {@code workingMemorySnapshot} is null when the turn brought none: the previous one stays. */
    record TurnRecorded(UUID sessionId, int turnNumber, Map<String, Object> workingMemorySnapshot)
            implements SessionEvent {
    }

    record PhaseChanged(UUID sessionId, SessionPhase from, SessionPhase to) implements SessionEvent {
    }

    record SessionCompleted(UUID sessionId, String completedBy) implements SessionEvent {
    }

    record SessionAbandoned(UUID sessionId, String abandonedBy) implements SessionEvent {
    }

    /** {@code splitFrom} names the obligation this one was split out of, or is null. */
    record ObligationAdded(UUID sessionId, UUID obligationId, String key, String description, String collectionType,
                           String widgetType, List<String> dependencies, String source, String originLayer,
                           UUID originSourceId, String poolId, int taskPriority, String category, String fieldPath,
                           String satisfiedWhen, String expertiseRequired, String followUpStrategy, int maxAttempts,
                           String splitFrom, int turnNumber, BigDecimal completenessScore) implements SessionEvent {
    }

    /** {@code attempts} is already incremented. */
    record ObligationAttempted(UUID sessionId, String key, int attempts, int turnNumber) implements SessionEvent {
    }

    /** Any JSON value: text, number, boolean, list or object. */
    record ObligationValueExtracted(UUID sessionId, String key, Object extractedValue, String source, int turnNumber)
            implements SessionEvent {
    }

    record ObligationConfidenceUpdated(UUID sessionId, String key, BigDecimal oldConfidence, BigDecimal newConfidence,
                                       String source, int turnNumber) implements SessionEvent {
    }

    record ObligationNegotiated(UUID sessionId, String key, Map<String, Object> negotiationState, int turnNumber)
            implements SessionEvent {
    }

    /** {@code satisfiedAtTurn} is set when {@code to} is satisfied. */
    record ObligationStatusChanged(UUID sessionId, String key, ObligationStatus from, ObligationStatus to,
                                   String agentNotes, Integer satisfiedAtTurn, int turnNumber,
                                   BigDecimal completenessScore) implements SessionEvent {
    }

    /** {@code key} depends on {@code dependencyKey}, which has just been satisfied. */
    record ObligationDependencyResolved(UUID sessionId, String key, String dependencyKey, int turnNumber)
            implements SessionEvent {
    }

    /**
     * {@code key} was merged into {@code intoKey} and is now skipped; {@code dependencies} holds
     * the new dependency list of every obligation that depended on it (now on {@code intoKey}).
     */
    record ObligationMerged(UUID sessionId, String key, String intoKey, ObligationStatus from,
                            Map<String, List<String>> dependencies, int turnNumber, BigDecimal completenessScore)
            implements SessionEvent {
    }

    /**
     * {@code key} was split into {@code into} (added just before, each naming it as its origin)
     * and is now skipped; {@code dependencies} holds the new dependency list of every obligation
     * that depended on it (now on all of {@code into}).
     */
    record ObligationSplit(UUID sessionId, String key, List<String> into, ObligationStatus from,
                           Map<String, List<String>> dependencies, int turnNumber, BigDecimal completenessScore)
            implements SessionEvent {
    }

    /**
     * The client's embedding of the obligation (1536 finite 32-bit floats, what pgvector stores).
     * Not secret, and the only source the read model's {@code embedding} column can be rebuilt
     * from, so it is part of the event.
     */
    record ObligationEmbeddingSet(UUID sessionId, String key, float[] embedding) implements SessionEvent {
    }
}
