package dev.verity.query.budget.query;

import dev.verity.events.budget.BudgetIds;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

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
 * Reads a project's budget and what the project has used against it, as one tenant under
 * row-level security. A project that never set a budget answers the seed's defaults (what its
 * executions get) with {@code configured: false}.
 */
@Component
class BudgetQueries {

    /**
     * Usage summed over every execution table of the project, one {@code UNION ALL} branch per
     * kind of execution: a new kind adds its branch here and nothing else changes. A kit
     * execution counts its outputs' tokens and, once completed, its estimated cost.
     */
    private static final String PROJECT_USAGE = """
            SELECT coalesce(sum(tokens), 0) AS tokens_used, coalesce(sum(cost), 0) AS cost_incurred,
                   count(*) AS executions
              FROM (SELECT tokens_used::bigint AS tokens, cost_incurred AS cost
                      FROM read_model.agent_executor_state WHERE project_id = :project_id
                    UNION ALL
                    SELECT token_usage_total::bigint, coalesce(estimated_cost_usd, 0)
                      FROM read_model.kit_executions WHERE project_id = :project_id
                   ) AS usage""";

    private static final String BUDGET_COLUMNS = """
            id, project_id, max_tokens, max_cost_usd, warning_threshold, on_limit_reached, created_at, updated_at,
            version""";

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final TenantReads reads;

    BudgetQueries(TenantReads reads) {
        this.reads = reads;
    }

    /** The limits as stored; {@code version} is null and {@code configured} false when the project has none. */
    record BudgetRow(UUID id, UUID projectId, int maxTokens, BigDecimal maxCostUsd, BigDecimal warningThreshold,
                     String onLimitReached, boolean configured, Instant createdAt, Instant updatedAt, Long version) {
    }

    record Usage(long tokensUsed, BigDecimal costIncurred, long executions) {
    }

    record BudgetView(UUID id, UUID projectId, int maxTokens, BigDecimal maxCostUsd, BigDecimal warningThreshold,
                      String onLimitReached, boolean configured, Instant createdAt, Instant updatedAt, Long version,
                      Usage usage) {

        static BudgetView of(BudgetRow row, Usage usage) {
            return new BudgetView(row.id(), row.projectId(), row.maxTokens(), row.maxCostUsd(), row.warningThreshold(),
                                  row.onLimitReached(), row.configured(), row.createdAt(), row.updatedAt(),
                                  row.version(), usage);
        }
    }

    /** Always present: a project without a budget has the seed's defaults. */
    Optional<BudgetView> budget(UUID tenantId, UUID projectId) {
        UUID budgetId = BudgetIds.of(tenantId, projectId);
        return reads.read(tenantId, jdbc -> {
            BudgetRow row = row(jdbc, ReadModelWriter.READ_MODEL, budgetId)
                    .orElseGet(() -> new BudgetRow(budgetId, projectId, 100_000, new BigDecimal("5.0000"),
                                                   new BigDecimal("0.80"), "pause", false, null, null, null));
            Usage usage = jdbc.queryForObject(PROJECT_USAGE, new MapSqlParameterSource("project_id", projectId),
                                              (rs, n) -> new Usage(rs.getLong("tokens_used"),
                                                                   rs.getBigDecimal("cost_incurred"),
                                                                   rs.getLong("executions")));
            return Optional.of(BudgetView.of(row, usage));
        });
    }

    /**
     * The budget's own record by its id from {@code schema}: what the audit API's as-of shows. Usage
     * is left out there, since it is the sum of other records' histories, not this one's.
     */
    Optional<BudgetRow> budgetLimits(String schema, UUID tenantId, UUID budgetId) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("Not a plain schema name: " + schema);
        }
        return reads.read(tenantId, jdbc -> row(jdbc, schema, budgetId));
    }

    Map<UUID, Long> versions(UUID tenantId, Collection<UUID> ids) {
        return reads.versions(tenantId, "budget_limits", ids);
    }

    private static Optional<BudgetRow> row(NamedParameterJdbcTemplate jdbc, String schema, UUID budgetId) {
        List<BudgetRow> rows = jdbc.query("SELECT " + BUDGET_COLUMNS + " FROM " + schema + ".budget_limits WHERE id = :id",
                                          new MapSqlParameterSource("id", budgetId), BudgetQueries::budgetRow);
        return rows.stream().findFirst();
    }

    private static BudgetRow budgetRow(ResultSet rs, int rowNum) throws SQLException {
        return new BudgetRow(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class),
                             rs.getInt("max_tokens"), rs.getBigDecimal("max_cost_usd"),
                             rs.getBigDecimal("warning_threshold"), rs.getString("on_limit_reached"), true,
                             instant(rs, "created_at"), instant(rs, "updated_at"), rs.getLong("version"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
