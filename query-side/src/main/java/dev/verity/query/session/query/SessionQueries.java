package dev.verity.query.session.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.pgvector.PGvector;
import dev.verity.events.session.ObligationStatus;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.KeysetPage;
import dev.verity.query.platform.tenancy.SelectBatch;
import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads the obligations slice as one tenant. There is no tenant condition in this SQL on
 * purpose: {@link TenantReads} has row-level security hide every other tenant's rows, so an
 * unknown id and another tenant's id are the same "not found". Embeddings (1536 numbers) are
 * read only where asked for.
 */
@Component
class SessionQueries {

    private static final String SESSION_COLUMNS = """
            id, tenant_id, project_id, status, created_by, completed_at, objective_id, session_phase,
            working_memory_snapshot, completeness_score, turn_count, created_at, updated_at, version""";
    private static final String OBLIGATION_COLUMNS = """
            id, session_id, obligation_key, description, status::text AS status, collection_type, widget_type,
            dependencies, source, origin_layer, origin_source_id, pool_id, task_priority, negotiation_state,
            confidence, extracted_value, attempts, max_attempts, last_attempt_turn, satisfied_at_turn, category,
            field_path, agent_notes, follow_up_strategy, satisfied_when, expertise_required, created_at, updated_at""";
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final TenantReads reads;
    private final JsonMapper json;

    SessionQueries(TenantReads reads, JsonMapper json) {
        this.reads = reads;
        this.json = json;
    }

    record SessionRow(UUID id, UUID tenantId, UUID projectId, String status, String createdBy, Instant completedAt,
                      UUID objectiveId, String sessionPhase, JsonNode workingMemorySnapshot,
                      BigDecimal completenessScore, int turnCount, Instant createdAt, Instant updatedAt,
                      long version) {
    }

    /** {@code embedding} is absent unless the single read asked for it. */
    record ObligationRow(UUID id, UUID sessionId, String key, String description, String status,
                         String collectionType, String widgetType, JsonNode dependencies, String source,
                         String originLayer, UUID originSourceId, String poolId, Integer taskPriority,
                         JsonNode negotiationState, BigDecimal confidence, JsonNode extractedValue, Integer attempts,
                         Integer maxAttempts, Integer lastAttemptTurn, Integer satisfiedAtTurn, String category,
                         String fieldPath, String agentNotes, String followUpStrategy, String satisfiedWhen,
                         String expertiseRequired, Instant createdAt, Instant updatedAt,
                         @JsonInclude(JsonInclude.Include.NON_NULL) float[] embedding) {
    }

    /** A session with its obligations and how many are in each status (every status listed, zeros included). */
    record SessionDetail(@JsonUnwrapped SessionRow session, Map<String, Long> obligationCounts,
                         List<ObligationRow> obligations) {
    }

    record ObligationEventRow(UUID id, String key, String eventType, String oldStatus, String newStatus,
                              BigDecimal oldConfidence, BigDecimal newConfidence, String source, JsonNode metadata,
                              Integer turnNumber, Instant createdAt) {
    }

    /** Equality filters of the session list; null means "any". */
    record SessionFilter(UUID projectId, String status) {
    }

    Optional<SessionDetail> session(UUID tenantId, UUID id) {
        return session(ReadModelWriter.READ_MODEL, tenantId, id);
    }

    /**
     * The session from the tables in {@code schema}: {@code read_model} for the live API, or
     * scratch tables holding it as it stood at some past moment (the audit API's as-of).
     */
    Optional<SessionDetail> session(String schema, UUID tenantId, UUID id) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("Not a plain schema name: " + schema);
        }
        // The session and its obligations in one round trip (TenantReads.readTogether).
        SelectBatch batch = new SelectBatch();
        SelectBatch.Rows<SessionRow> session = batch.add(
                "SELECT " + SESSION_COLUMNS + " FROM " + schema + ".elicitation_sessions WHERE id = ?", this::sessionRow, id);
        SelectBatch.Rows<ObligationRow> obligations = batch.add(
                "SELECT " + OBLIGATION_COLUMNS + " FROM " + schema + ".elicitation_obligations"
                + " WHERE session_id = ? ORDER BY sequence_number", (rs, n) -> obligationRow(rs, false), id);
        reads.readTogether(tenantId, batch);
        if (session.list().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ObligationStatus status : ObligationStatus.values()) {
            counts.put(status.wire(), 0L);
        }
        obligations.list().forEach(obligation -> counts.merge(obligation.status(), 1L, Long::sum));
        return Optional.of(new SessionDetail(session.list().get(0), counts, obligations.list()));
    }

    /** The current version of each of the tenant's sessions among {@code ids}: what minVersion waits poll. */
    Map<UUID, Long> versions(UUID tenantId, Collection<UUID> ids) {
        return reads.versions(tenantId, "elicitation_sessions", ids);
    }

    /** The list endpoint's page: keyset pagination by id ({@link KeysetPage}). */
    KeysetPage<SessionRow> sessions(UUID tenantId, SessionFilter filter, UUID after, int limit) {
        KeysetPage.Query query = new KeysetPage.Query(after, limit)
                .whereEquals("project_id", filter.projectId())
                .whereEquals("status", filter.status());
        String select = "SELECT " + SESSION_COLUMNS + " FROM read_model.elicitation_sessions";
        return KeysetPage.read(reads, tenantId, select, query, this::sessionRow, SessionRow::id);
    }

    /** Empty when the session is not visible to this tenant. Status is in its wire spelling. */
    Optional<List<ObligationRow>> obligations(UUID tenantId, UUID sessionId, String status, String category) {
        return reads.read(tenantId, jdbc -> {
            if (!sessionExists(jdbc, sessionId)) {
                return Optional.empty();
            }
            MapSqlParameterSource parameters = new MapSqlParameterSource("id", sessionId);
            StringBuilder sql = new StringBuilder("SELECT " + OBLIGATION_COLUMNS
                                                  + " FROM read_model.elicitation_obligations WHERE session_id = :id");
            if (status != null) {
                sql.append(" AND status = CAST(:status AS read_model.obligation_status)");
                parameters.addValue("status", status);
            }
            if (category != null) {
                sql.append(" AND category = :category");
                parameters.addValue("category", category);
            }
            sql.append(" ORDER BY sequence_number");
            return Optional.of(jdbc.query(sql.toString(), parameters, (rs, n) -> obligationRow(rs, false)));
        });
    }

    /** One obligation with the session's version (its {@code ETag}); empty when either is not visible. */
    Optional<VersionedObligation> obligation(UUID tenantId, UUID sessionId, String key, boolean withEmbedding) {
        return reads.read(tenantId, jdbc -> {
            List<Long> version = jdbc.queryForList("SELECT version FROM read_model.elicitation_sessions WHERE id = :id",
                                                   new MapSqlParameterSource("id", sessionId), Long.class);
            if (version.isEmpty()) {
                return Optional.empty();
            }
            List<ObligationRow> rows = jdbc.query(
                    "SELECT " + OBLIGATION_COLUMNS + (withEmbedding ? ", embedding" : "")
                    + " FROM read_model.elicitation_obligations WHERE session_id = :id AND obligation_key = :key",
                    new MapSqlParameterSource("id", sessionId).addValue("key", key),
                    (rs, n) -> obligationRow(rs, withEmbedding));
            return rows.stream().findFirst().map(row -> new VersionedObligation(row, version.get(0)));
        });
    }

    record VersionedObligation(ObligationRow obligation, long sessionVersion) {
    }

    /** The obligation's {@code obligation_events} rows in order; empty when the session is not visible. */
    Optional<List<ObligationEventRow>> events(UUID tenantId, UUID sessionId, String key) {
        return reads.read(tenantId, jdbc -> {
            if (!sessionExists(jdbc, sessionId)) {
                return Optional.empty();
            }
            return Optional.of(jdbc.query("""
                    SELECT id, obligation_key, event_type, old_status, new_status, old_confidence, new_confidence,
                           source, metadata, turn_number, created_at
                      FROM read_model.obligation_events
                     WHERE session_id = :id AND obligation_key = :key
                     ORDER BY created_at, (metadata ->> 'sequenceNumber')::bigint""",
                    new MapSqlParameterSource("id", sessionId).addValue("key", key), (rs, n) -> new ObligationEventRow(
                            rs.getObject("id", UUID.class), rs.getString("obligation_key"),
                            rs.getString("event_type"), rs.getString("old_status"), rs.getString("new_status"),
                            rs.getBigDecimal("old_confidence"), rs.getBigDecimal("new_confidence"),
                            rs.getString("source"), json(rs, "metadata"), integer(rs, "turn_number"),
                            instant(rs, "created_at"))));
        });
    }

    private static boolean sessionExists(NamedParameterJdbcTemplate jdbc, UUID sessionId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM read_model.elicitation_sessions WHERE id = :id)",
                new MapSqlParameterSource("id", sessionId), Boolean.class));
    }

    private SessionRow sessionRow(ResultSet rs, int rowNum) throws SQLException {
        return new SessionRow(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                              rs.getObject("project_id", UUID.class), rs.getString("status"),
                              rs.getString("created_by"), instant(rs, "completed_at"),
                              rs.getObject("objective_id", UUID.class), rs.getString("session_phase"),
                              json(rs, "working_memory_snapshot"), rs.getBigDecimal("completeness_score"),
                              rs.getInt("turn_count"), instant(rs, "created_at"), instant(rs, "updated_at"),
                              rs.getLong("version"));
    }

    private ObligationRow obligationRow(ResultSet rs, boolean withEmbedding) throws SQLException {
        float[] embedding = null;
        if (withEmbedding) {
            String text = rs.getString("embedding");
            embedding = text == null ? null : new PGvector(text).toArray();
        }
        return new ObligationRow(rs.getObject("id", UUID.class), rs.getObject("session_id", UUID.class),
                                 rs.getString("obligation_key"), rs.getString("description"), rs.getString("status"),
                                 rs.getString("collection_type"), rs.getString("widget_type"),
                                 json(rs, "dependencies"), rs.getString("source"), rs.getString("origin_layer"),
                                 rs.getObject("origin_source_id", UUID.class), rs.getString("pool_id"),
                                 integer(rs, "task_priority"), json(rs, "negotiation_state"),
                                 rs.getBigDecimal("confidence"), json(rs, "extracted_value"), integer(rs, "attempts"),
                                 integer(rs, "max_attempts"), integer(rs, "last_attempt_turn"),
                                 integer(rs, "satisfied_at_turn"), rs.getString("category"), rs.getString("field_path"),
                                 rs.getString("agent_notes"), rs.getString("follow_up_strategy"),
                                 rs.getString("satisfied_when"), rs.getString("expertise_required"),
                                 instant(rs, "created_at"), instant(rs, "updated_at"), embedding);
    }

    private JsonNode json(ResultSet rs, String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? null : json.readTree(value);
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
