package dev.verity.query.kit.query;

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
 * Reads kit executions as one tenant. There is no tenant condition in this SQL on purpose:
 * {@link TenantReads} has PostgreSQL's row-level security hide every other tenant's rows, on the
 * outputs as on the executions, so an unknown id and another tenant's id are the same "not found".
 * Money comes back as the column's {@code BigDecimal}, JSONB as JSON.
 */
@Component
class KitExecutionQueries {

    private static final String EXECUTION_COLUMNS = """
            id, tenant_id, project_id, user_id, kit_definition_id, kit_id, kit_version, status, started_at,
            completed_at, execution_time_ms, input_snapshot, output_count, outputs_valid, outputs_warnings,
            outputs_failed, token_usage_prompt, token_usage_completion, token_usage_total, estimated_cost_usd,
            bundle_path, bundle_size_bytes, error_message, error_step, error_details, workflow_run_id,
            inngest_run_id, created_at, updated_at, version""";

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final TenantReads reads;
    private final JsonMapper json;

    KitExecutionQueries(TenantReads reads, JsonMapper json) {
        this.reads = reads;
        this.json = json;
    }

    record KitExecutionRow(UUID id, UUID tenantId, UUID projectId, String userId, UUID kitDefinitionId, String kitId,
                           String kitVersion, String status, Instant startedAt, Instant completedAt,
                           Integer executionTimeMs, JsonNode inputSnapshot, int outputCount, int outputsValid,
                           int outputsWarnings, int outputsFailed, int tokenUsagePrompt, int tokenUsageCompletion,
                           int tokenUsageTotal, BigDecimal estimatedCostUsd, String bundlePath,
                           Integer bundleSizeBytes, String errorMessage, String errorStep, JsonNode errorDetails,
                           String workflowRunId, String inngestRunId, Instant createdAt, Instant updatedAt,
                           long version) {
    }

    record OutputRow(UUID id, String outputId, String filename, String outputType, String status,
                     int validationErrors, int validationWarnings, int validationAutoFixed, int repairAttempts,
                     JsonNode validationDetails, String contentPath, Integer contentSizeBytes, String contentHash,
                     int tokenUsagePrompt, int tokenUsageCompletion, Instant createdAt) {
    }

    /** An execution with its outputs, rendered as one flat object with {@code outputs}. */
    record KitExecutionDetail(@JsonUnwrapped KitExecutionRow execution, List<OutputRow> outputs) {
    }

    /** Equality filters of the list; null means "any". The status is in its wire spelling. */
    record KitExecutionFilter(UUID projectId, String status, String kitId) {
    }

    Optional<KitExecutionDetail> kitExecution(UUID tenantId, UUID id) {
        return kitExecution(ReadModelWriter.READ_MODEL, tenantId, id);
    }

    /** The current version of each of the tenant's executions among {@code ids}, in one query: what minVersion waits poll. */
    Map<UUID, Long> versions(UUID tenantId, Collection<UUID> ids) {
        return reads.versions(tenantId, "kit_executions", ids);
    }

    /**
     * The execution from the tables in {@code schema}: {@code read_model} for the live API, or
     * scratch tables holding it as it stood at some past moment (the audit API's as-of), so a past
     * state has exactly the live shape.
     */
    Optional<KitExecutionDetail> kitExecution(String schema, UUID tenantId, UUID id) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("Not a plain schema name: " + schema);
        }
        // The execution and its outputs in one round trip (TenantReads.readTogether).
        SelectBatch batch = new SelectBatch();
        SelectBatch.Rows<KitExecutionRow> execution = batch.add(
                "SELECT " + EXECUTION_COLUMNS + " FROM " + schema + ".kit_executions WHERE id = ?", this::executionRow, id);
        SelectBatch.Rows<OutputRow> outputs = batch.add("""
                SELECT id, output_id, filename, output_type, status, validation_errors, validation_warnings,
                       validation_auto_fixed, repair_attempts, validation_details, content_path,
                       content_size_bytes, content_hash, token_usage_prompt, token_usage_completion, created_at
                  FROM %s.kit_execution_outputs WHERE execution_id = ?
                 ORDER BY sequence_number""".formatted(schema), (rs, n) -> new OutputRow(
                rs.getObject("id", UUID.class), rs.getString("output_id"), rs.getString("filename"),
                rs.getString("output_type"), rs.getString("status"), rs.getInt("validation_errors"),
                rs.getInt("validation_warnings"), rs.getInt("validation_auto_fixed"), rs.getInt("repair_attempts"),
                json(rs, "validation_details"), rs.getString("content_path"),
                rs.getObject("content_size_bytes", Integer.class), rs.getString("content_hash"),
                rs.getInt("token_usage_prompt"), rs.getInt("token_usage_completion"), instant(rs, "created_at")), id);
        reads.readTogether(tenantId, batch);
        if (execution.list().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new KitExecutionDetail(execution.list().get(0), outputs.list()));
    }

    /** The list endpoint's page: keyset pagination by id ({@link KeysetPage}). */
    KeysetPage<KitExecutionRow> kitExecutions(UUID tenantId, KitExecutionFilter filter, UUID after, int limit) {
        KeysetPage.Query query = new KeysetPage.Query(after, limit)
                .whereEquals("project_id", filter.projectId())
                .whereEquals("status", filter.status())
                .whereEquals("kit_id", filter.kitId());
        String select = "SELECT " + EXECUTION_COLUMNS + " FROM read_model.kit_executions";
        return KeysetPage.read(reads, tenantId, select, query, this::executionRow, KitExecutionRow::id);
    }

    private KitExecutionRow executionRow(ResultSet rs, int rowNum) throws SQLException {
        return new KitExecutionRow(
                rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                rs.getObject("project_id", UUID.class), rs.getString("user_id"),
                rs.getObject("kit_definition_id", UUID.class), rs.getString("kit_id"), rs.getString("kit_version"),
                rs.getString("status"), instant(rs, "started_at"), instant(rs, "completed_at"),
                rs.getObject("execution_time_ms", Integer.class), json(rs, "input_snapshot"), rs.getInt("output_count"),
                rs.getInt("outputs_valid"), rs.getInt("outputs_warnings"), rs.getInt("outputs_failed"),
                rs.getInt("token_usage_prompt"), rs.getInt("token_usage_completion"), rs.getInt("token_usage_total"),
                rs.getBigDecimal("estimated_cost_usd"), rs.getString("bundle_path"),
                rs.getObject("bundle_size_bytes", Integer.class), rs.getString("error_message"),
                rs.getString("error_step"), json(rs, "error_details"), rs.getString("workflow_run_id"),
                rs.getString("inngest_run_id"), instant(rs, "created_at"), instant(rs, "updated_at"),
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
