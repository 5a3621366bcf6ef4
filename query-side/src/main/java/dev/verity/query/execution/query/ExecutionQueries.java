package dev.verity.query.execution.query;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.KeysetPage;
import dev.verity.query.platform.tenancy.SelectBatch;
import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads agent executions as one tenant, like the task queries: no tenant condition in the SQL,
 * row-level security hides every other tenant's rows ({@link TenantReads}). Amounts come back as
 * the column's {@link BigDecimal}, never a double.
 */
@Component
class ExecutionQueries {

    private static final String EXECUTION_COLUMNS = """
            id, execution_id, project_id, status, strategy, agents, current_step, total_steps, started_at,
            completed_at, tokens_used, tokens_limit, cost_incurred, cost_limit, warning_threshold, on_limit_reached,
            budget_state, intermediate_results, final_result, error, created_by, created_at, updated_at, version""";

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final TenantReads reads;
    private final JsonMapper json;

    ExecutionQueries(TenantReads reads, JsonMapper json) {
        this.reads = reads;
        this.json = json;
    }

    record ExecutionRow(UUID id, UUID executionId, UUID projectId, String status, String strategy, JsonNode agents,
                        int currentStep, Integer totalSteps, Instant startedAt, Instant completedAt, long tokensUsed,
                        Integer tokensLimit, BigDecimal costIncurred, BigDecimal costLimit, BigDecimal warningThreshold,
                        String onLimitReached, String budgetState, JsonNode intermediateResults, JsonNode finalResult,
                        JsonNode error, String createdBy, Instant createdAt, Instant updatedAt, long version) {
    }

    record CheckpointRow(UUID id, int stepIndex, String stepName, JsonNode state, Instant createdAt,
                         Instant expiresAt) {
    }

    /** An execution with its live checkpoints, rendered as one flat object with {@code checkpoints}. */
    record ExecutionDetail(@JsonUnwrapped ExecutionRow execution, List<CheckpointRow> checkpoints) {
    }

    /** Equality filters of the execution list; null means "any". Status is in its wire spelling. */
    record ExecutionFilter(UUID projectId, String status) {
    }

    Optional<ExecutionDetail> execution(UUID tenantId, UUID id) {
        return execution(ReadModelWriter.READ_MODEL, tenantId, id);
    }

    /** From {@code read_model}, or from the scratch tables of an as-of view: the same shape either way. */
    Optional<ExecutionDetail> execution(String schema, UUID tenantId, UUID id) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("Not a plain schema name: " + schema);
        }
        // The execution and its checkpoints in one round trip (TenantReads.readTogether).
        SelectBatch batch = new SelectBatch();
        SelectBatch.Rows<ExecutionRow> execution = batch.add(
                "SELECT " + EXECUTION_COLUMNS + " FROM " + schema + ".agent_executor_state WHERE id = ?", this::row, id);
        SelectBatch.Rows<CheckpointRow> checkpoints = batch.add("""
                SELECT id, step_index, step_name, state, created_at, expires_at
                  FROM %s.checkpoint_snapshots WHERE execution_id = ?
                 ORDER BY sequence_number""".formatted(schema), (rs, n) -> new CheckpointRow(
                rs.getObject("id", UUID.class), rs.getInt("step_index"), rs.getString("step_name"),
                json(rs, "state"), instant(rs, "created_at"), instant(rs, "expires_at")), id);
        reads.readTogether(tenantId, batch);
        if (execution.list().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ExecutionDetail(execution.list().get(0), checkpoints.list()));
    }

    /** The current version of each of the tenant's executions among {@code ids}: what minVersion waits poll. */
    Map<UUID, Long> versions(UUID tenantId, Collection<UUID> ids) {
        return reads.versions(tenantId, "agent_executor_state", ids);
    }

    /** The list endpoint's page: keyset pagination by id ({@link KeysetPage}). */
    KeysetPage<ExecutionRow> executions(UUID tenantId, ExecutionFilter filter, UUID after, int limit) {
        KeysetPage.Query query = new KeysetPage.Query(after, limit)
                .whereEquals("project_id", filter.projectId())
                .whereEquals("status", filter.status());
        String select = "SELECT " + EXECUTION_COLUMNS + " FROM read_model.agent_executor_state";
        return KeysetPage.read(reads, tenantId, select, query, this::row, ExecutionRow::id);
    }

    private ExecutionRow row(ResultSet rs, int rowNum) throws SQLException {
        return new ExecutionRow(rs.getObject("id", UUID.class), rs.getObject("execution_id", UUID.class),
                                rs.getObject("project_id", UUID.class), rs.getString("status"), rs.getString("strategy"),
                                json(rs, "agents"), rs.getInt("current_step"), rs.getObject("total_steps", Integer.class),
                                instant(rs, "started_at"), instant(rs, "completed_at"), rs.getLong("tokens_used"),
                                rs.getObject("tokens_limit", Integer.class), rs.getBigDecimal("cost_incurred"),
                                rs.getBigDecimal("cost_limit"), rs.getBigDecimal("warning_threshold"),
                                rs.getString("on_limit_reached"), rs.getString("budget_state"),
                                json(rs, "intermediate_results"), json(rs, "final_result"), json(rs, "error"),
                                rs.getString("created_by"), instant(rs, "created_at"), instant(rs, "updated_at"),
                                rs.getLong("version"));
    }

    private JsonNode json(ResultSet rs, String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? null : json.readTree(value);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
