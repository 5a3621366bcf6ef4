package dev.verity.query.session.projection;

import com.pgvector.PGvector;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent;
import dev.verity.events.session.SessionEvent.ObligationAdded;
import dev.verity.events.session.SessionEvent.ObligationAttempted;
import dev.verity.events.session.SessionEvent.ObligationConfidenceUpdated;
import dev.verity.events.session.SessionEvent.ObligationDependencyResolved;
import dev.verity.events.session.SessionEvent.ObligationEmbeddingSet;
import dev.verity.events.session.SessionEvent.ObligationMerged;
import dev.verity.events.session.SessionEvent.ObligationNegotiated;
import dev.verity.events.session.SessionEvent.ObligationSplit;
import dev.verity.events.session.SessionEvent.ObligationStatusChanged;
import dev.verity.events.session.SessionEvent.ObligationValueExtracted;
import dev.verity.events.session.SessionEvent.PhaseChanged;
import dev.verity.events.session.SessionEvent.SessionAbandoned;
import dev.verity.events.session.SessionEvent.SessionCompleted;
import dev.verity.events.session.SessionEvent.SessionStarted;
import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.events.session.SessionPhase;
import dev.verity.events.session.SessionStatus;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static dev.verity.query.platform.projection.SqlValues.json;
import static dev.verity.query.platform.projection.SqlValues.time;
import static dev.verity.query.platform.projection.SqlValues.wire;

/**
 * Rebuilds the obligations slice of seed 001 ({@code elicitation_sessions},
 * {@code elicitation_obligations}, {@code obligation_events}) from Session events. The session
 * row's {@code version} is the sequence number of the last event applied to the session: every
 * event first advances it and is applied only if that succeeds, so replays and redeliveries
 * change nothing (see {@link ReadModelWriter}).
 * <p>
 * Obligations are child rows addressed by tenant, session and key. {@code obligation_events}
 * gets one row per domain event of the seed's list (created, status_changed, confidence_updated,
 * value_extracted, negotiation, dependency_resolved, merged, split), with an id derived from the
 * session and the event's sequence number, and that number in {@code metadata.sequenceNumber}
 * to order rows of one command that share a timestamp. Attempts, turns, phases and embeddings
 * change the tables but are no obligation event of the seed's.
 */
@ProcessingGroup(SessionProjection.PROCESSING_GROUP)
public class SessionProjection {

    public static final String PROCESSING_GROUP = "sessions";

    private static final String SESSIONS = "elicitation_sessions";
    private static final String OBLIGATIONS = "elicitation_obligations";
    private static final String STATUS_TYPE = "read_model.obligation_status";

    private final ReadModelWriter writer;

    public SessionProjection(ReadModelWriter writer) {
        this.writer = writer;
    }

    @EventHandler
    public void on(SessionStarted e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.insert(SESSIONS, new MapSqlParameterSource()
                .addValue("id", e.sessionId())
                .addValue("tenant_id", e.tenantId())
                .addValue("project_id", e.projectId())
                .addValue("status", SessionStatus.ACTIVE.wire())
                .addValue("created_by", e.createdBy())
                .addValue("objective_id", e.objectiveId())
                .addValue("session_phase", wire(e.phase() == null ? SessionPhase.OPENING : e.phase()))
                .addValue("completeness_score", BigDecimal.ZERO.setScale(2))
                .addValue("turn_count", 0)
                .addValue("created_at", time(at))
                .addValue("updated_at", time(at))
                .addValue("version", version));
    }

    @EventHandler
    public void on(TurnRecorded e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            MapSqlParameterSource columns = new MapSqlParameterSource("turn_count", e.turnNumber());
            if (e.workingMemorySnapshot() != null) {
                columns.addValue("working_memory_snapshot", json(e.workingMemorySnapshot()));
            }
            writer.update(SESSIONS, session(tenant, e.sessionId()), columns);
        });
    }

    @EventHandler
    public void on(PhaseChanged e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant ->
                writer.update(SESSIONS, session(tenant, e.sessionId()),
                              new MapSqlParameterSource("session_phase", wire(e.to()))));
    }

    @EventHandler
    public void on(SessionCompleted e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant ->
                writer.update(SESSIONS, session(tenant, e.sessionId()), new MapSqlParameterSource()
                        .addValue("status", SessionStatus.COMPLETED.wire())
                        .addValue("completed_at", time(at))));
    }

    @EventHandler
    public void on(SessionAbandoned e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant ->
                writer.update(SESSIONS, session(tenant, e.sessionId()),
                              new MapSqlParameterSource("status", SessionStatus.ABANDONED.wire())));
    }

    @EventHandler
    public void on(ObligationAdded e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            writer.insertChild(OBLIGATIONS, new MapSqlParameterSource()
                    .addValue("id", e.obligationId())
                    .addValue("tenant_id", tenant)
                    .addValue("session_id", e.sessionId())
                    .addValue("obligation_key", e.key())
                    .addValue("description", e.description())
                    .addValue("status", ObligationStatus.PENDING.wire(), Types.OTHER)
                    .addValue("collection_type", e.collectionType())
                    .addValue("widget_type", e.widgetType())
                    .addValue("dependencies", json(e.dependencies() == null ? List.of() : e.dependencies()))
                    .addValue("source", e.source())
                    .addValue("origin_layer", e.originLayer())
                    .addValue("origin_source_id", e.originSourceId())
                    .addValue("pool_id", e.poolId())
                    .addValue("task_priority", e.taskPriority())
                    .addValue("confidence", BigDecimal.ZERO.setScale(2))
                    .addValue("attempts", 0)
                    .addValue("max_attempts", e.maxAttempts())
                    .addValue("category", e.category())
                    .addValue("field_path", e.fieldPath())
                    .addValue("follow_up_strategy", e.followUpStrategy())
                    .addValue("satisfied_when", e.satisfiedWhen())
                    .addValue("expertise_required", e.expertiseRequired())
                    .addValue("sequence_number", version)
                    .addValue("created_at", time(at))
                    .addValue("updated_at", time(at)));
            completeness(tenant, e.sessionId(), e.completenessScore());
            Map<String, Object> metadata = metadata(version);
            if (e.splitFrom() != null) {
                metadata.put("splitFrom", e.splitFrom());
            }
            obligationEvent(tenant, e, e.key(), version, at, "created", e.turnNumber()).newStatus(ObligationStatus.PENDING)
                    .source(e.source()).metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationAttempted e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant ->
                updateObligation(tenant, e.sessionId(), e.key(), at, new MapSqlParameterSource()
                        .addValue("attempts", e.attempts())
                        .addValue("last_attempt_turn", e.turnNumber())));
    }

    @EventHandler
    public void on(ObligationValueExtracted e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            updateObligation(tenant, e.sessionId(), e.key(), at,
                             new MapSqlParameterSource("extracted_value", json(e.extractedValue())));
            Map<String, Object> metadata = metadata(version);
            metadata.put("extractedValue", e.extractedValue());
            obligationEvent(tenant, e, e.key(), version, at, "value_extracted", e.turnNumber())
                    .source(e.source()).metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationConfidenceUpdated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            updateObligation(tenant, e.sessionId(), e.key(), at,
                             new MapSqlParameterSource("confidence", e.newConfidence()));
            obligationEvent(tenant, e, e.key(), version, at, "confidence_updated", e.turnNumber())
                    .confidences(e.oldConfidence(), e.newConfidence()).source(e.source()).write();
        });
    }

    @EventHandler
    public void on(ObligationNegotiated e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            updateObligation(tenant, e.sessionId(), e.key(), at,
                             new MapSqlParameterSource("negotiation_state", json(e.negotiationState())));
            Map<String, Object> metadata = metadata(version);
            metadata.put("negotiationState", e.negotiationState());
            obligationEvent(tenant, e, e.key(), version, at, "negotiation", e.turnNumber()).metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationStatusChanged e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            MapSqlParameterSource columns = new MapSqlParameterSource("status", wire(e.to()));
            if (e.agentNotes() != null) {
                columns.addValue("agent_notes", e.agentNotes());
            }
            if (e.satisfiedAtTurn() != null) {
                columns.addValue("satisfied_at_turn", e.satisfiedAtTurn());
            }
            updateObligation(tenant, e.sessionId(), e.key(), at, columns);
            completeness(tenant, e.sessionId(), e.completenessScore());
            Map<String, Object> metadata = metadata(version);
            if (e.agentNotes() != null) {
                metadata.put("agentNotes", e.agentNotes());
            }
            obligationEvent(tenant, e, e.key(), version, at, "status_changed", e.turnNumber())
                    .oldStatus(e.from()).newStatus(e.to()).metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationDependencyResolved e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            Map<String, Object> metadata = metadata(version);
            metadata.put("dependencyKey", e.dependencyKey());
            obligationEvent(tenant, e, e.key(), version, at, "dependency_resolved", e.turnNumber())
                    .metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationMerged e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            skipAndRepoint(tenant, e.sessionId(), e.key(), e.dependencies(), at);
            completeness(tenant, e.sessionId(), e.completenessScore());
            Map<String, Object> metadata = metadata(version);
            metadata.put("intoKey", e.intoKey());
            metadata.put("repointed", e.dependencies().keySet().stream().sorted().toList());
            obligationEvent(tenant, e, e.key(), version, at, "merged", e.turnNumber())
                    .oldStatus(e.from()).newStatus(ObligationStatus.SKIPPED).metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationSplit e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant -> {
            skipAndRepoint(tenant, e.sessionId(), e.key(), e.dependencies(), at);
            completeness(tenant, e.sessionId(), e.completenessScore());
            Map<String, Object> metadata = metadata(version);
            metadata.put("into", e.into());
            metadata.put("repointed", e.dependencies().keySet().stream().sorted().toList());
            obligationEvent(tenant, e, e.key(), version, at, "split", e.turnNumber())
                    .oldStatus(e.from()).newStatus(ObligationStatus.SKIPPED).metadata(metadata).write();
        });
    }

    @EventHandler
    public void on(ObligationEmbeddingSet e, @SequenceNumber long version, @Timestamp Instant at) {
        writer.advance(SESSIONS, e.sessionId(), version, at).ifPresent(tenant ->
                updateObligation(tenant, e.sessionId(), e.key(), at,
                                 new MapSqlParameterSource("embedding", new PGvector(e.embedding()))));
    }

    private void skipAndRepoint(UUID tenant, UUID sessionId, String key, Map<String, List<String>> dependencies,
                                Instant at) {
        updateObligation(tenant, sessionId, key, at, new MapSqlParameterSource("status", ObligationStatus.SKIPPED.wire()));
        dependencies.forEach((dependent, list) ->
                updateObligation(tenant, sessionId, dependent, at, new MapSqlParameterSource("dependencies", json(list))));
    }

    private void completeness(UUID tenant, UUID sessionId, BigDecimal score) {
        writer.update(SESSIONS, session(tenant, sessionId), new MapSqlParameterSource("completeness_score", score));
    }

    /**
     * Sets the given columns of one obligation, found by tenant, session and key; {@code status}
     * is cast to the ENUM. Exactly one row must match: anything else parks the event.
     */
    private void updateObligation(UUID tenant, UUID sessionId, String key, Instant at, MapSqlParameterSource columns) {
        String assignments = columns.getValues().keySet().stream()
                .map(column -> "status".equals(column) ? "status = CAST(:status AS " + STATUS_TYPE + ")"
                                                       : column + " = :" + column)
                .collect(Collectors.joining(", "));
        MapSqlParameterSource parameters = new MapSqlParameterSource(columns.getValues())
                .addValue("updated_at", time(at))
                .addValue("key_tenant_id", tenant)
                .addValue("key_session_id", sessionId)
                .addValue("key_obligation_key", key);
        int[] updated = writer.batch("UPDATE {schema}." + OBLIGATIONS + " SET " + assignments + ", updated_at = :updated_at"
                                     + " WHERE tenant_id = :key_tenant_id AND session_id = :key_session_id"
                                     + " AND obligation_key = :key_obligation_key", List.of(parameters));
        if (updated.length != 1 || updated[0] != 1) {
            throw new IllegalStateException("No single obligation " + key + " in session " + sessionId);
        }
    }

    private ObligationEventRow obligationEvent(UUID tenant, SessionEvent e, String key, long version, Instant at,
                                               String type, int turn) {
        return new ObligationEventRow(metadata(version), new MapSqlParameterSource()
                .addValue("id", obligationEventId(e.sessionId(), version))
                .addValue("tenant_id", tenant)
                .addValue("session_id", e.sessionId())
                .addValue("obligation_key", key)
                .addValue("event_type", type)
                .addValue("turn_number", turn)
                .addValue("created_at", time(at)));
    }

    /** One {@code obligation_events} row being filled in; columns left out stay NULL. */
    private final class ObligationEventRow {

        private final MapSqlParameterSource row;
        private Map<String, Object> metadata;

        private ObligationEventRow(Map<String, Object> metadata, MapSqlParameterSource row) {
            this.metadata = metadata;
            this.row = row;
        }

        ObligationEventRow oldStatus(ObligationStatus status) {
            row.addValue("old_status", wire(status));
            return this;
        }

        ObligationEventRow newStatus(ObligationStatus status) {
            row.addValue("new_status", wire(status));
            return this;
        }

        ObligationEventRow confidences(BigDecimal old, BigDecimal updated) {
            row.addValue("old_confidence", old).addValue("new_confidence", updated);
            return this;
        }

        ObligationEventRow source(String source) {
            row.addValue("source", source);
            return this;
        }

        /** Replaces the default metadata; start it from {@link SessionProjection#metadata(long)}. */
        ObligationEventRow metadata(Map<String, Object> value) {
            metadata = value;
            return this;
        }

        void write() {
            writer.insertChild("obligation_events", row.addValue("metadata", json(metadata)));
        }
    }

    /** Every row's metadata starts with the event's sequence number, which orders a session's rows. */
    private static Map<String, Object> metadata(long version) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("sequenceNumber", version);
        return metadata;
    }

    private static MapSqlParameterSource session(UUID tenant, UUID sessionId) {
        return new MapSqlParameterSource("tenant_id", tenant).addValue("id", sessionId);
    }

    static UUID obligationEventId(UUID sessionId, long version) {
        return UUID.nameUUIDFromBytes(("obligation-event:" + sessionId + ":" + version).getBytes(StandardCharsets.UTF_8));
    }
}
