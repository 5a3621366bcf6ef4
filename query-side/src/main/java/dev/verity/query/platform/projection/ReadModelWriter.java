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
 * finds the version already there and changes nothing; a version never goes back. Creations and
 * child rows are {@link #insert inserted} with {@code ON CONFLICT (id) DO NOTHING}, so they are
 * safe to repeat too.
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
public final class ReadModelWriter {

    public static final String READ_MODEL = "read_model";

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String SCHEMA_PLACEHOLDER = "{schema}";

    private final NamedParameterJdbcTemplate jdbc;
    private final String schema;

    public ReadModelWriter(NamedParameterJdbcTemplate jdbc, String schema) {
        this.jdbc = jdbc;
        this.schema = identifier(schema);
    }

    /**
     * Inserts a row unless one with its {@code id} exists.
     *
     * @return true when this call created the row
     */
    public boolean insert(String table, MapSqlParameterSource row) {
        List<String> columns = row.getValues().keySet().stream().map(ReadModelWriter::identifier).toList();
        String values = columns.stream().map(column -> ":" + column).collect(Collectors.joining(", "));
        return jdbc.update("INSERT INTO " + table(table) + " (" + String.join(", ", columns) + ") VALUES (" + values + ")"
                           + " ON CONFLICT (id) DO NOTHING", row) == 1;
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

    /** Sets the given columns of the row with this {@code id}. */
    public void update(String table, UUID id, MapSqlParameterSource columns) {
        String assignments = columns.getValues().keySet().stream()
                                    .map(column -> identifier(column) + " = :" + column)
                                    .collect(Collectors.joining(", "));
        jdbc.update("UPDATE " + table(table) + " SET " + assignments + " WHERE id = :id",
                    new MapSqlParameterSource(columns.getValues()).addValue("id", id));
    }

    /** One value read back inside the projection's transaction; SQL names tables {@code {schema}.table}. */
    public <T> T queryForObject(String sql, MapSqlParameterSource parameters, Class<T> type) {
        return jdbc.queryForObject(resolve(sql), parameters, type);
    }

    /** One statement for many rows in a single JDBC batch; SQL names tables {@code {schema}.table}. */
    public int[] batch(String sql, List<MapSqlParameterSource> rows) {
        return jdbc.batchUpdate(resolve(sql), rows.toArray(SqlParameterSource[]::new));
    }

    private String table(String table) {
        return schema + "." + identifier(table);
    }

    private String resolve(String sql) {
        return sql.replace(SCHEMA_PLACEHOLDER, schema);
    }

    /** Schema, table and column names are spliced into SQL, so only plain identifiers pass. */
    private static String identifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a plain SQL identifier: " + name);
        }
        return name;
    }
}
