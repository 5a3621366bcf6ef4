package dev.verity.query.platform.tenancy;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.function.Function;

/**
 * Runs the query API's SQL as one tenant, with PostgreSQL rather than WHERE clauses keeping
 * tenants apart. Inside a read-only transaction it switches to {@code verity_reader} (a role
 * that neither owns the tables nor bypasses row-level security, unlike the application user
 * that owns them) and sets {@code app.current_tenant_id}, which every read-model table's
 * {@code tenant_isolation} policy compares against. Both are transaction-local ({@code SET LOCAL},
 * {@code set_config(..., true)}), so a pooled connection never carries a tenant into the next request.
 * Both are set by one statement: {@code set_config('role', ..., true)} is {@code SET LOCAL ROLE}.
 */
@Component
public class TenantReads {

    private static final String READER_ROLE = "verity_reader";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String BIND_TENANT = "SELECT set_config('role', '" + READER_ROLE + "', true),"
                                              + " set_config('app.current_tenant_id', ?, true)";
    private static final RowCallbackHandler IGNORE = rs -> { };

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate readOnly;

    TenantReads(NamedParameterJdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactionManager);
        this.readOnly.setReadOnly(true);
    }

    /** {@code read} sees only {@code tenantId}'s rows, whatever SQL it runs. */
    public <T> T read(UUID tenantId, Function<NamedParameterJdbcTemplate, T> read) {
        return readOnly.execute(status -> {
            jdbc.getJdbcTemplate().query(BIND_TENANT, IGNORE, tenantId.toString());
            return read.apply(jdbc);
        });
    }

    /**
     * Runs {@code batch}'s selects as {@code tenantId}, as {@link #read} would, but sends the
     * tenant binding and every select to PostgreSQL together, in one round trip, instead of one
     * each: for an answer made of several tables, such as a task with its actions, targets and
     * steps. Under load each round trip waits to be scheduled twice, once in PostgreSQL and once
     * here, so it is the round trips, not the rows, that a read's latency grows with.
     */
    public void readTogether(UUID tenantId, SelectBatch batch) {
        readOnly.executeWithoutResult(status -> jdbc.getJdbcTemplate().execute((ConnectionCallback<Void>) connection -> {
            try (PreparedStatement statement = connection.prepareStatement(BIND_TENANT + ";\n" + batch.sql())) {
                statement.setString(1, tenantId.toString());
                batch.bind(statement, 2);
                statement.execute();
                for (SelectBatch.Rows<?> rows : batch.rows()) {
                    if (!statement.getMoreResults()) {
                        throw new IllegalStateException("PostgreSQL returned fewer results than the batch has selects");
                    }
                    try (ResultSet resultSet = statement.getResultSet()) {
                        rows.read(resultSet);
                    }
                }
            }
            return null;
        }));
    }

    /**
     * The current version of each of {@code tenantId}'s records among {@code ids} in the read-model
     * table {@code table} (a projection's root table, never client input): what {@code minVersion}
     * waits and the live stream poll. Another tenant's record is absent, exactly like a missing one.
     */
    public Map<UUID, Long> versions(UUID tenantId, String table, Collection<UUID> ids) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("Not a plain SQL identifier: " + table);
        }
        return read(tenantId, reader -> {
            Map<UUID, Long> versions = new HashMap<>();
            reader.query("SELECT id, version FROM read_model." + table + " WHERE id IN (:ids)",
                         new MapSqlParameterSource("ids", ids),
                         rs -> {
                             versions.put(rs.getObject("id", UUID.class), rs.getLong("version"));
                         });
            return versions;
        });
    }
}
