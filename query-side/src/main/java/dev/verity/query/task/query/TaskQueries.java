package dev.verity.query.task.query;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.KeysetPage;
import dev.verity.query.platform.tenancy.SelectBatch;
import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads the tasks slice as one tenant. There is no tenant condition in this SQL on purpose:
 * {@link TenantReads} has PostgreSQL's row-level security hide every other tenant's rows, so an
 * unknown id and another tenant's id are the same "not found". JSONB columns are parsed with
 * the same Jackson that writes the responses, so they come back as JSON, not as strings.
 */
@Component
class TaskQueries {

    private static final String TASK_COLUMNS = """
            id, tenant_id, project_id, parent_task_id, type, title, description, status, priority,
            assignee_type, assignee_id, due_date, component_key, dependencies, blocked_by, block_reason,
            completed_at, completed_by, completion_notes, metadata, created_by, created_at, updated_at, version""";

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final TenantReads reads;
    private final JsonMapper json;

    TaskQueries(TenantReads reads, JsonMapper json) {
        this.reads = reads;
        this.json = json;
    }

    record TaskRow(UUID id, UUID tenantId, UUID projectId, UUID parentTaskId, String type, String title,
                   String description, String status, String priority, String assigneeType, String assigneeId,
                   Instant dueDate, String componentKey, List<UUID> dependencies, List<UUID> blockedBy,
                   String blockReason, Instant completedAt, String completedBy, String completionNotes,
                   JsonNode metadata, String createdBy, Instant createdAt, Instant updatedAt, long version) {
    }

    record ActionRow(UUID id, String type, String label, String description, JsonNode config, int displayOrder,
                     Instant createdAt) {
    }

    record TargetRow(UUID id, String targetType, UUID targetId, JsonNode metadata, Instant createdAt) {
    }

    record StepRow(UUID id, String action, String status, String result, String error, int retryCount,
                   JsonNode metadata, Instant createdAt, Instant updatedAt) {
    }

    /** A task with its children, rendered as one flat object with {@code actions}, {@code targets}, {@code steps}. */
    record TaskDetail(@JsonUnwrapped TaskRow task, List<ActionRow> actions, List<TargetRow> targets,
                      List<StepRow> steps) {
    }

    record SubmissionRow(UUID id, UUID actionId, String idempotencyKey, String submittedBy, Instant submittedAt,
                         JsonNode data, JsonNode result, JsonNode bindingsExecuted, Instant createdAt) {
    }

    record ActivityRow(UUID id, String activityType, String actorType, String actorId, JsonNode details,
                       long sequenceNumber, Instant createdAt) {
    }

    /** Equality filters of the task list; null means "any". Status and type are in their wire spelling. */
    record TaskFilter(UUID projectId, String status, String assigneeId, String type, UUID parentTaskId) {
    }

    Optional<TaskDetail> task(UUID tenantId, UUID id) {
        return task(ReadModelWriter.READ_MODEL, tenantId, id);
    }

    /** The current version of each of the tenant's tasks among {@code ids}, in one query: what minVersion waits poll. */
    Map<UUID, Long> versions(UUID tenantId, Collection<UUID> ids) {
        return reads.versions(tenantId, "tasks", ids);
    }

    /**
     * The task from the tables in {@code schema}: {@code read_model} for the live API, or scratch
     * tables holding the task as it stood at some past moment (the audit API's as-of), so a past
     * state has exactly the live shape.
     */
    Optional<TaskDetail> task(String schema, UUID tenantId, UUID id) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("Not a plain schema name: " + schema);
        }
        // The task and its children in one round trip: this is the read the API serves most.
        SelectBatch batch = new SelectBatch();
        SelectBatch.Rows<TaskRow> task = batch.add("SELECT " + TASK_COLUMNS + " FROM " + schema + ".tasks WHERE id = ?",
                                                   this::taskRow, id);
        SelectBatch.Rows<ActionRow> actions = batch.add("""
                SELECT id, type, label, description, config, display_order, created_at
                  FROM %s.task_actions WHERE task_id = ?
                 ORDER BY display_order, sequence_number""".formatted(schema), (rs, n) -> new ActionRow(
                rs.getObject("id", UUID.class), rs.getString("type"), rs.getString("label"),
                rs.getString("description"), json(rs, "config"), rs.getInt("display_order"),
                instant(rs, "created_at")), id);
        SelectBatch.Rows<TargetRow> targets = batch.add("""
                SELECT id, target_type, target_id, metadata, created_at
                  FROM %s.task_targets WHERE task_id = ?
                 ORDER BY sequence_number""".formatted(schema), (rs, n) -> new TargetRow(
                rs.getObject("id", UUID.class), rs.getString("target_type"), rs.getObject("target_id", UUID.class),
                json(rs, "metadata"), instant(rs, "created_at")), id);
        SelectBatch.Rows<StepRow> steps = batch.add("""
                SELECT id, action, status, result, error, retry_count, metadata, created_at, updated_at
                  FROM %s.steps WHERE task_id = ?
                 ORDER BY sequence_number""".formatted(schema), (rs, n) -> new StepRow(
                rs.getObject("id", UUID.class), rs.getString("action"), rs.getString("status"),
                rs.getString("result"), rs.getString("error"), rs.getInt("retry_count"), json(rs, "metadata"),
                instant(rs, "created_at"), instant(rs, "updated_at")), id);
        reads.readTogether(tenantId, batch);
        if (task.list().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TaskDetail(task.list().get(0), actions.list(), targets.list(), steps.list()));
    }

    /** The list endpoint's page: keyset pagination by id ({@link KeysetPage}). */
    KeysetPage<TaskRow> tasks(UUID tenantId, TaskFilter filter, UUID after, int limit) {
        KeysetPage.Query query = new KeysetPage.Query(after, limit)
                .whereEquals("project_id", filter.projectId())
                .whereEquals("status", filter.status())
                .whereEquals("assignee_id", filter.assigneeId())
                .whereEquals("type", filter.type())
                .whereEquals("parent_task_id", filter.parentTaskId());
        String select = "SELECT " + TASK_COLUMNS + " FROM read_model.tasks";
        return KeysetPage.read(reads, tenantId, select, query, this::taskRow, TaskRow::id);
    }

    /** Empty when the task is not visible to this tenant. */
    Optional<List<SubmissionRow>> submissions(UUID tenantId, UUID taskId) {
        return reads.read(tenantId, jdbc -> whenTaskExists(jdbc, taskId, () -> jdbc.query("""
                SELECT id, action_id, idempotency_key, submitted_by, submitted_at, data, result,
                       bindings_executed, created_at
                  FROM read_model.action_submissions WHERE task_id = :id
                 ORDER BY sequence_number""", new MapSqlParameterSource("id", taskId), (rs, n) -> new SubmissionRow(
                rs.getObject("id", UUID.class), rs.getObject("action_id", UUID.class),
                rs.getString("idempotency_key"), rs.getString("submitted_by"), instant(rs, "submitted_at"),
                json(rs, "data"), json(rs, "result"), json(rs, "bindings_executed"), instant(rs, "created_at")))));
    }

    /** Empty when the task is not visible to this tenant. */
    Optional<List<ActivityRow>> activity(UUID tenantId, UUID taskId) {
        return reads.read(tenantId, jdbc -> whenTaskExists(jdbc, taskId, () -> jdbc.query("""
                SELECT id, activity_type, actor_type, actor_id, details, sequence_number, created_at
                  FROM read_model.task_activity WHERE task_id = :id
                 ORDER BY sequence_number""", new MapSqlParameterSource("id", taskId), (rs, n) -> new ActivityRow(
                rs.getObject("id", UUID.class), rs.getString("activity_type"), rs.getString("actor_type"),
                rs.getString("actor_id"), json(rs, "details"), rs.getLong("sequence_number"),
                instant(rs, "created_at")))));
    }

    private static <T> Optional<List<T>> whenTaskExists(NamedParameterJdbcTemplate jdbc, UUID taskId,
                                                        Supplier<List<T>> rows) {
        Boolean exists = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM read_model.tasks WHERE id = :id)",
                                             new MapSqlParameterSource("id", taskId), Boolean.class);
        return Boolean.TRUE.equals(exists) ? Optional.of(rows.get()) : Optional.empty();
    }

    private TaskRow taskRow(ResultSet rs, int rowNum) throws SQLException {
        return new TaskRow(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
                           rs.getObject("project_id", UUID.class), rs.getObject("parent_task_id", UUID.class),
                           rs.getString("type"), rs.getString("title"), rs.getString("description"),
                           rs.getString("status"), rs.getString("priority"), rs.getString("assignee_type"),
                           rs.getString("assignee_id"), instant(rs, "due_date"), rs.getString("component_key"),
                           uuids(rs, "dependencies"), uuids(rs, "blocked_by"), rs.getString("block_reason"),
                           instant(rs, "completed_at"), rs.getString("completed_by"),
                           rs.getString("completion_notes"), json(rs, "metadata"), rs.getString("created_by"),
                           instant(rs, "created_at"), instant(rs, "updated_at"), rs.getLong("version"));
    }

    private JsonNode json(ResultSet rs, String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? null : json.readTree(value);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static List<UUID> uuids(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? List.of() : Arrays.asList((UUID[]) array.getArray());
    }
}
