package dev.verity.query.platform.projection;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one way projections write read-model rows, so that every projection is idempotent the
 * same way and can be pointed at another schema.
 *
 * <h2>Idempotent by version</h2>
 * Each record has a root row (a task) holding {@code version}, the aggregate sequence number of
 * the last event applied to it. A projection first {@link #advance advances} the root; only when
 * that says the event is new does it write the event's change. A redelivered or replayed event
 * finds the version already there and changes nothing; a version never goes back. A root row is
 * {@link #insert inserted} with {@code ON CONFLICT (id) DO NOTHING}, so a creation is safe to
 * repeat too.
 *
 * <h2>Children addressed by tenant, parent and id</h2>
 * Child ids (a task's actions, steps, ...) are unique only within their parent, so child tables
 * are keyed by {@code (tenant_id, <parent>_id, id)} and every statement on a child row names all
 * three ({@link #update}). A child is written only after its event advanced the root, so it is
 * new: {@link #insertChild} is a plain insert, and a row already holding its key is an error that
 * parks the event, never a silent no-op. Likewise an update that matches no row is an error.
 * Row-level security confines all of it to the event's tenant on top (see
 * {@code platform.tenancy.TenantWrites}).
 *
 * <h2>Rows and token in one transaction</h2>
 * The writer opens no transaction of its own: it runs on whatever Spring transaction is bound to
 * the thread. Axon's pooled streaming processor wraps each batch of events in one such
 * transaction (Axon's {@code SpringTransactionManager}) and stores its tracking token in
 * {@code event_store.token_entry} at prepare-commit, through the same DataSource and therefore
 * the same connection. The rows of a whole batch and the token that says they were applied
 * commit together or not at all; a failed batch is retried from the old token.
 *
 * <h2>Any schema</h2>
 * Methods that take a table name qualify it with the writer's schema; raw SQL names tables as
 * {@code {schema}.table}. The live projections write {@code read_model}; a rebuild into a shadow
 * schema or a record's past state at a given version runs the same projection code over a
 * writer for another schema.
 */
public class ReadModelWriter {

    public static final String READ_MODEL = "read_model";

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    static final String SCHEMA_PLACEHOLDER = "{schema}";
    private static final String KEY_PREFIX = "key_";

    private final NamedParameterJdbcTemplate jdbc;
    private final String schema;

    public ReadModelWriter(NamedParameterJdbcTemplate jdbc, String schema) {
        this.jdbc = jdbc;
        this.schema = identifier(schema);
    }

    /**
     * Inserts a root row unless this tenant's row with its {@code id} exists (a replayed creation).
     *
     * @return true when this call created the row
     * @throws IllegalStateException when the id is taken by a row of another tenant
     */
    public boolean insert(String table, MapSqlParameterSource row) {
        if (jdbc.update(insertSql(table, row) + " ON CONFLICT (id) DO NOTHING", row) == 1) {
            return true;
        }
        Boolean ours = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM " + table(table)
                                           + " WHERE id = :id AND tenant_id = :tenant_id)", row, Boolean.class);
        if (!Boolean.TRUE.equals(ours)) {
            throw new IllegalStateException(table(table) + " already holds id " + row.getValue("id")
                                            + " for another tenant");
        }
        return false;
    }

    /**
     * Inserts a child row, which must be new: a row with its key already there (a reused id) fails
     * with a {@link org.springframework.dao.DuplicateKeyException} instead of being skipped.
     */
    public void insertChild(String table, MapSqlParameterSource row) {
        jdbc.update(insertSql(table, row), row);
    }

    /**
     * Moves a root row to {@code version} if it is behind it, stamping {@code updated_at}.
     *
     * @return the row's tenant when the event is new to the row; empty when the row already
     *         reflects it (a replay or duplicate) or does not exist, and the event must be skipped
     */
    public Optional<UUID> advance(String table, UUID id, long version, Instant at) {
        List<UUID> tenant = jdbc.queryForList(
                "UPDATE " + table(table) + " SET version = :version, updated_at = :at"
                + " WHERE id = :id AND version < :version RETURNING tenant_id",
                new MapSqlParameterSource("id", id).addValue("version", version).addValue("at", SqlValues.time(at)),
                UUID.class);
        return tenant.stream().findFirst();
    }

    /**
     * Sets the given columns of the one row matching {@code key}: {@code tenant_id} and {@code id},
     * and for a child row its parent's id too.
     *
     * @throws IllegalStateException when no row (or more than one) matches
     */
    public void update(String table, MapSqlParameterSource key, MapSqlParameterSource columns) {
        requireKey(key);
        String assignments = columns.getValues().keySet().stream()
                                    .map(column -> identifier(column) + " = :" + column)
                                    .collect(Collectors.joining(", "));
        expectOneRow(table, key, jdbc.update("UPDATE " + table(table) + " SET " + assignments + " WHERE " + where(key),
                                             keyed(key, columns)));
    }

    /**
     * Adds each of {@code amounts} to its column of the one row matching {@code key}, addressed as
     * in {@link #update}: for totals a projection keeps over an aggregate's members (a kit
     * execution's outputs), which the event advancing the row makes safe to add exactly once.
     *
     * @throws IllegalStateException when no row (or more than one) matches
     */
    public void increment(String table, MapSqlParameterSource key, MapSqlParameterSource amounts) {
        requireKey(key);
        String assignments = amounts.getValues().keySet().stream()
                                    .map(column -> identifier(column) + " = " + column + " + :" + column)
                                    .collect(Collectors.joining(", "));
        expectOneRow(table, key, jdbc.update("UPDATE " + table(table) + " SET " + assignments + " WHERE " + where(key),
                                             keyed(key, amounts)));
    }

    /**
     * One column of the one row matching {@code key}, addressed as in {@link #update}, as this
     * transaction sees it (rows written by earlier events included).
     */
    public <T> T value(String table, MapSqlParameterSource key, String column, Class<T> type) {
        requireKey(key);
        return jdbc.queryForObject("SELECT " + identifier(column) + " FROM " + table(table) + " WHERE " + where(key),
                                   keyed(key, new MapSqlParameterSource()), type);
    }

    /** One value read back inside the projection's transaction; SQL names tables {@code {schema}.table}. */
    public <T> T queryForObject(String sql, MapSqlParameterSource parameters, Class<T> type) {
        return jdbc.queryForObject(resolve(sql), parameters, type);
    }

    /** One statement for many rows in a single JDBC batch; SQL names tables {@code {schema}.table}. */
    public int[] batch(String sql, List<MapSqlParameterSource> rows) {
        return jdbc.batchUpdate(resolve(sql), rows.toArray(SqlParameterSource[]::new));
    }

    private String insertSql(String table, MapSqlParameterSource row) {
        List<String> columns = row.getValues().keySet().stream().map(ReadModelWriter::identifier).toList();
        String values = columns.stream().map(column -> ":" + column).collect(Collectors.joining(", "));
        return "INSERT INTO " + table(table) + " (" + String.join(", ", columns) + ") VALUES (" + values + ")";
    }

    private static String where(MapSqlParameterSource key) {
        return key.getValues().keySet().stream()
                  .map(column -> identifier(column) + " = :" + KEY_PREFIX + column)
                  .collect(Collectors.joining(" AND "));
    }

    private static MapSqlParameterSource keyed(MapSqlParameterSource key, MapSqlParameterSource columns) {
        MapSqlParameterSource parameters = new MapSqlParameterSource(columns.getValues());
        key.getValues().forEach((column, value) -> parameters.addValue(KEY_PREFIX + column, value));
        return parameters;
    }

    static void requireKey(MapSqlParameterSource key) {
        if (!key.hasValue("tenant_id") || !key.hasValue("id")) {
            throw new IllegalArgumentException("A row is addressed by tenant_id and id at least: " + key.getParameterNames());
        }
    }

    void expectOneRow(String table, MapSqlParameterSource key, int updated) {
        if (updated != 1) {
            throw new IllegalStateException(updated + " rows of " + table(table) + " match " + key.getValues());
        }
    }

    NamedParameterJdbcTemplate jdbc() {
        return jdbc;
    }

    String schema() {
        return schema;
    }

    String table(String table) {
        return schema + "." + identifier(table);
    }

    String resolve(String sql) {
        return sql.replace(SCHEMA_PLACEHOLDER, schema);
    }

    /** Schema, table and column names are spliced into SQL, so only plain identifiers pass. */
    static String identifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a plain SQL identifier: " + name);
        }
        return name;
    }
}
