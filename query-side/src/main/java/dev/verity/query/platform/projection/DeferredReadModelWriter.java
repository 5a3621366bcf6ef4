package dev.verity.query.platform.projection;

import dev.verity.query.platform.tenancy.TenantWrites;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.SqlValue;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A {@link ReadModelWriter} for replays into tables that start empty (a rebuild's shadow tables,
 * a verification's scratch tables): it keeps the rows a batch of events creates or touches in
 * memory and writes them when the batch ends, as one multi-row INSERT per table and column set
 * and one JDBC batch of UPDATEs, instead of four statements per event.
 *
 * <h2>Why the result is the live projection's</h2>
 * Within a batch, a root row inserted or advanced is answered from memory exactly as the table
 * would answer the same statements under row-level security: visible only to the tenant whose
 * event wrote it, advanced only by a higher version, its columns read back as last set. Rows
 * not in memory (written by an earlier batch) are loaded with one SELECT under the event's
 * tenant on first touch. Any other statement runs at once, as live. Every row is flushed under
 * the tenant of the event that wrote it ({@link TenantWrites#confineTo}), so row-level security
 * checks each row as it checks live writes.
 * <p>
 * Two answers are assumed rather than asked: that a root id this writer has not seen in the
 * batch for this tenant is not in the table yet (true of an empty table, except for a creation
 * repeated in a later batch or an id another tenant's row holds), and that a child key is new.
 * Both are checked by the database when the batch is flushed: a violated key or an UPDATE that
 * finds no row fails the flush. The caller then rolls the batch back and applies it again through
 * an ordinary {@link ReadModelWriter}, which answers every statement from the table, so a surprise
 * costs speed, never a different row, and an event that cannot project fails exactly where and how
 * it fails live.
 */
public final class DeferredReadModelWriter extends ReadModelWriter {

    private final JdbcTemplate plain;
    private final TenantWrites tenantWrites;

    /**
     * Root rows by table, bound tenant and id (what the tenant's statements could reach, whether
     * the table's key is the id alone or the tenant and id); new ones are inserted at the flush,
     * loaded ones updated.
     */
    private final Map<RowId, Row> roots = new LinkedHashMap<>();
    /** Child rows inserted in this batch, by table, bound tenant and id (ids are unique only per parent). */
    private final Map<RowId, List<Row>> children = new HashMap<>();
    private final List<Row> childOrder = new ArrayList<>();

    /** The tenant bound for the event being handled, as {@link TenantWrites} binds it; null between events. */
    private String tenant;

    /** Column types by table, for unnest's arrays; tables do not change during a replay. */
    private final Map<String, Map<String, ColumnType>> columnTypes = new HashMap<>();

    private record RowId(String table, String tenant, Object id) {
    }

    /** A column's type as {@code format_type} spells it without a length, and whether it is an array. */
    private record ColumnType(String name, boolean array) {
    }

    private static final class Row {
        final String table;
        final String tenant;
        final boolean loaded;
        final LinkedHashMap<String, Object> values;
        final Set<String> changed = new LinkedHashSet<>();

        Row(String table, String tenant, boolean loaded, Map<String, Object> values) {
            this.table = table;
            this.tenant = tenant;
            this.loaded = loaded;
            this.values = new LinkedHashMap<>(values);
        }

        void set(Map<String, Object> columns) {
            values.putAll(columns);
            changed.addAll(columns.keySet());
        }

        /** What row-level security lets the bound tenant see, and what a key's columns match. */
        boolean matches(String boundTenant, MapSqlParameterSource key) {
            if (!tenant.equals(boundTenant)) {
                return false;
            }
            for (String column : key.getParameterNames()) {
                if (!values.containsKey(column) || !Objects.equals(values.get(column), key.getValue(column))) {
                    return false;
                }
            }
            return true;
        }
    }

    public DeferredReadModelWriter(NamedParameterJdbcTemplate jdbc, String schema, TenantWrites tenantWrites) {
        super(jdbc, schema);
        this.plain = jdbc.getJdbcTemplate();
        this.tenantWrites = tenantWrites;
    }

    /** Handles one event bound to {@code boundTenant} (TenantWrites' spelling: "" when it has none). */
    public void during(String boundTenant, Runnable handling) {
        tenant = boundTenant;
        try {
            handling.run();
        } finally {
            tenant = null;
        }
    }

    @Override
    public boolean insert(String table, MapSqlParameterSource row) {
        RowId id = new RowId(identifier(table), bound(), row.getValue("id"));
        Row known = roots.get(id);
        if (known == null) {
            roots.put(id, new Row(id.table(), bound(), false, row.getValues()));
            return true;
        }
        if (!known.matches(bound(), new MapSqlParameterSource("tenant_id", row.getValue("tenant_id")))) {
            throw new IllegalStateException(table(table) + " already holds id " + row.getValue("id")
                                            + " for another tenant");
        }
        return false;
    }

    @Override
    public void insertChild(String table, MapSqlParameterSource row) {
        Row child = new Row(identifier(table), bound(), false, row.getValues());
        children.computeIfAbsent(new RowId(child.table, child.tenant, row.getValue("id")), id -> new ArrayList<>(1)).add(child);
        childOrder.add(child);
    }

    @Override
    public Optional<UUID> advance(String table, UUID id, long version, Instant at) {
        Row row = root(table, id);
        if (row == null || !row.tenant.equals(bound())
            || ((Number) row.values.get("version")).longValue() >= version) {
            return Optional.empty();
        }
        Map<String, Object> advanced = new LinkedHashMap<>();
        advanced.put("version", version);
        advanced.put("updated_at", SqlValues.time(at));
        row.set(advanced);
        return Optional.of((UUID) row.values.get("tenant_id"));
    }

    @Override
    public void update(String table, MapSqlParameterSource key, MapSqlParameterSource columns) {
        requireKey(key);
        Row row = inMemory(table, key);
        if (row == null) {
            super.update(table, key, columns);
        } else {
            row.set(columns.getValues());
        }
    }

    @Override
    public void increment(String table, MapSqlParameterSource key, MapSqlParameterSource amounts) {
        requireKey(key);
        Row row = inMemory(table, key);
        if (row == null) {
            super.increment(table, key, amounts);
            return;
        }
        Map<String, Object> sums = new LinkedHashMap<>();
        for (String column : amounts.getParameterNames()) {
            Object current = row.values.get(column);
            Object amount = amounts.getValue(column);
            if (!isWhole(current) || !isWhole(amount)) {
                // A sum PostgreSQL would type differently (NULL, a default, a decimal): let it do it.
                flush();
                super.increment(table, key, amounts);
                return;
            }
            long a = ((Number) current).longValue();
            long b = ((Number) amount).longValue();
            // An overflow fails the batch, which the ordinary writer then applies, failing as PostgreSQL fails.
            sums.put(column, current instanceof Integer && amount instanceof Integer ? (Object) Math.toIntExact(a + b)
                                                                                    : (Object) Math.addExact(a, b));
        }
        row.set(sums);
    }

    @Override
    public <T> T value(String table, MapSqlParameterSource key, String column, Class<T> type) {
        requireKey(key);
        Row row = inMemory(table, key);
        if (row != null && row.values.containsKey(column)) {
            Object value = row.values.get(column);
            if (value == null || type.isInstance(value)) {
                return type.cast(value);
            }
        }
        return afterFlush(() -> super.value(table, key, column, type));
    }

    /**
     * Raw SQL sees only the tables, so whatever is held in memory is written first when it names
     * this writer's ({@code {schema}.table}); SQL on other tables (the event store) cannot see
     * held rows and runs at once.
     */
    @Override
    public <T> T queryForObject(String sql, MapSqlParameterSource parameters, Class<T> type) {
        return readsHeldTables(sql) ? afterFlush(() -> super.queryForObject(sql, parameters, type))
                                    : super.queryForObject(sql, parameters, type);
    }

    @Override
    public int[] batch(String sql, List<MapSqlParameterSource> rows) {
        return readsHeldTables(sql) ? afterFlush(() -> super.batch(sql, rows)) : super.batch(sql, rows);
    }

    /**
     * Writes every row held in memory, each tenant's under that tenant, then forgets them. Inside
     * an event's handling the event's tenant is bound again afterwards; between events the
     * connection is given back its own role.
     */
    public void flush() {
        if (roots.isEmpty() && childOrder.isEmpty()) {
            return;
        }
        Map<String, List<Row>> byTenant = new LinkedHashMap<>();
        roots.values().forEach(row -> byTenant.computeIfAbsent(row.tenant, t -> new ArrayList<>()).add(row));
        childOrder.forEach(row -> byTenant.computeIfAbsent(row.tenant, t -> new ArrayList<>()).add(row));
        roots.clear();
        children.clear();
        childOrder.clear();
        // Inside a handling the event's tenant is bound already: its own rows cost no binding.
        String confined = tenant;
        for (Map.Entry<String, List<Row>> rows : byTenant.entrySet()) {
            if (!rows.getKey().equals(confined)) {
                tenantWrites.confineTo(rows.getKey());
                confined = rows.getKey();
            }
            insertAll(rows.getValue().stream().filter(row -> !row.loaded).toList());
            updateAll(rows.getValue().stream().filter(row -> row.loaded && !row.changed.isEmpty()).toList());
        }
        if (Objects.equals(confined, tenant)) {
            return;
        }
        if (tenant == null) {
            tenantWrites.release();
        } else {
            tenantWrites.confineTo(tenant);
        }
    }

    /** Drops what is held in memory without writing it: the batch is being rolled back. */
    public void discard() {
        roots.clear();
        children.clear();
        childOrder.clear();
    }

    /**
     * Binds as Spring binds a value of unknown SQL type, without its per-value lookups: a
     * multi-row INSERT of a batch binds thousands of them. A NULL and a UUID[] go unspecified, so
     * PostgreSQL types them by their column.
     */
    private static void bind(PreparedStatement statement, int index, Object value, List<SqlValue> bound)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof SqlValues.UuidArray uuids) {
            // Typed by its column like a NULL: no array type lookup per value.
            statement.setObject(index, uuids.literal(), Types.OTHER);
        } else if (value instanceof SqlValue sqlValue) {
            sqlValue.setValue(statement, index);
            bound.add(sqlValue);
        } else if (value instanceof String text) {
            statement.setString(index, text);
        } else {
            statement.setObject(index, value);
        }
    }

    private static boolean readsHeldTables(String sql) {
        return sql.contains(SCHEMA_PLACEHOLDER);
    }

    private static boolean isWhole(Object value) {
        return value instanceof Integer || value instanceof Long;
    }

    private <T> T afterFlush(Supplier<T> query) {
        flush();
        return query.get();
    }

    private String bound() {
        if (tenant == null) {
            throw new IllegalStateException("A deferred write outside an event's handling");
        }
        return tenant;
    }

    /** The root row from memory, or loaded from the table as the bound tenant sees it. */
    private Row root(String table, UUID id) {
        RowId key = new RowId(identifier(table), bound(), id);
        Row row = roots.get(key);
        if (row == null) {
            List<Map<String, Object>> stored = plain.queryForList("SELECT * FROM " + table(table) + " WHERE id = ?", id);
            if (stored.isEmpty()) {
                return null;
            }
            row = new Row(key.table(), bound(), true, stored.get(0));
            roots.put(key, row);
        }
        return row;
    }

    /** The held row, root or child, that the bound tenant's statement on {@code key} would reach. */
    private Row inMemory(String table, MapSqlParameterSource key) {
        RowId id = new RowId(identifier(table), bound(), key.getValue("id"));
        Row root = roots.get(id);
        if (root != null && root.matches(bound(), key)) {
            return root;
        }
        for (Row child : children.getOrDefault(id, List.of())) {
            if (child.matches(bound(), key)) {
                return child;
            }
        }
        return null;
    }

    /**
     * New rows as one INSERT per table and column set, each column bound as one array and
     * unnested ({@link ArrayColumns}); a set holding a value that has no exact array text form
     * goes as multi-row INSERTs instead.
     */
    private void insertAll(List<Row> rows) {
        Map<List<String>, List<Row>> byShape = new LinkedHashMap<>();
        for (Row row : rows) {
            List<String> shape = new ArrayList<>(row.values.size() + 1);
            shape.add(row.table);
            shape.addAll(row.values.keySet());
            byShape.computeIfAbsent(shape, s -> new ArrayList<>()).add(row);
        }
        byShape.forEach((shape, same) -> {
            List<String> columns = shape.subList(1, shape.size());
            Optional<List<String>> arrays = ArrayColumns.of(same.stream().map(row -> row.values.values()).toList(),
                                                            columns.size());
            if (arrays.isPresent()) {
                insertUnnested(shape.get(0), columns, arrays.get(), same.size());
            } else {
                insertValues(shape.get(0), columns, same);
            }
        });
    }

    /**
     * {@code INSERT ... SELECT ... FROM unnest($1::type[], ...)}: a handful of parameters and
     * one statement text per table and column set, which PostgreSQL parses and plans far more
     * cheaply than thousands of VALUES rows, and pgjdbc prepares once for the connection. Array
     * columns travel as text[] (unnest would flatten them) and are cast back per row; element
     * types carry no length, so a value too long fails on assignment to the column as it does live.
     */
    private void insertUnnested(String table, List<String> columns, List<String> arrays, int rows) {
        List<ColumnType> types = columnTypes(table, columns);
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table(table)).append(" (")
                .append(columns.stream().map(ReadModelWriter::identifier).collect(Collectors.joining(", ")))
                .append(") SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append('v').append(i);
            if (types.get(i).array()) {
                sql.append("::").append(types.get(i).name());
            }
        }
        sql.append(" FROM unnest(");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("?::")
               .append(types.get(i).array() ? "text" : types.get(i).name()).append("[]");
        }
        sql.append(") AS u(").append(String.join(", ", IntStream.range(0, columns.size())
                                                                            .mapToObj(i -> "v" + i).toList()))
           .append(')');
        int inserted = plain.execute(sql.toString(), (PreparedStatementCallback<Integer>) statement -> {
            for (int i = 0; i < arrays.size(); i++) {
                statement.setObject(i + 1, arrays.get(i), Types.OTHER);
            }
            return statement.executeUpdate();
        });
        if (inserted != rows) {
            throw new IllegalStateException("Inserted " + inserted + " of " + rows + " rows into " + table(table));
        }
    }

    /** The columns' types without length (as unnest's element types), looked up once per table. */
    private List<ColumnType> columnTypes(String table, List<String> columns) {
        Map<String, ColumnType> types = columnTypes.computeIfAbsent(table, t -> {
            Map<String, ColumnType> found = new HashMap<>();
            plain.query("""
                    SELECT a.attname, format_type(a.atttypid, NULL) AS type, t.typcategory = 'A' AS array
                      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                     WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped""",
                        rs -> {
                            found.put(rs.getString("attname"),
                                      new ColumnType(rs.getString("type"), rs.getBoolean("array")));
                        }, table(t));
            return found;
        });
        return columns.stream().map(column -> {
            ColumnType type = types.get(column);
            if (type == null) {
                throw new IllegalStateException(table(table) + " has no column " + column);
            }
            return type;
        }).toList();
    }

    /** Multi-row INSERTs, one per table and column set, within PostgreSQL's 65,535 parameters. */
    private void insertValues(String table, List<String> names, List<Row> same) {
        List<String> columns = names.stream().map(ReadModelWriter::identifier).toList();
        int perStatement = Math.max(1, 30_000 / columns.size());
        for (int from = 0; from < same.size(); from += perStatement) {
            List<Row> chunk = same.subList(from, Math.min(same.size(), from + perStatement));
            String placeholders = "(" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
            String sql = "INSERT INTO " + table(table) + " (" + String.join(", ", columns) + ") VALUES "
                         + String.join(", ", Collections.nCopies(chunk.size(), placeholders));
            plain.execute(sql, (PreparedStatementCallback<Integer>) statement -> {
                List<SqlValue> bound = new ArrayList<>();
                int index = 1;
                for (Row row : chunk) {
                    for (Object value : row.values.values()) {
                        bind(statement, index++, value, bound);
                    }
                }
                try {
                    return statement.executeUpdate();
                } finally {
                    bound.forEach(SqlValue::cleanup);
                }
            });
        }
    }

    /** Rows loaded from an earlier batch and changed in this one, as one JDBC batch per table and column set. */
    private void updateAll(List<Row> rows) {
        Map<List<String>, List<Row>> byShape = new LinkedHashMap<>();
        for (Row row : rows) {
            List<String> shape = new ArrayList<>(row.changed.size() + 1);
            shape.add(row.table);
            shape.addAll(row.changed);
            byShape.computeIfAbsent(shape, s -> new ArrayList<>()).add(row);
        }
        byShape.forEach((shape, same) -> {
            List<String> columns = shape.subList(1, shape.size());
            String sql = "UPDATE " + table(shape.get(0)) + " SET "
                         + columns.stream().map(c -> identifier(c) + " = ?").collect(Collectors.joining(", "))
                         + " WHERE id = ? AND tenant_id = ?";
            List<Object[]> arguments = new ArrayList<>(same.size());
            for (Row row : same) {
                Object[] values = new Object[columns.size() + 2];
                for (int i = 0; i < columns.size(); i++) {
                    values[i] = row.values.get(columns.get(i));
                }
                values[columns.size()] = row.values.get("id");
                values[columns.size() + 1] = row.values.get("tenant_id");
                arguments.add(values);
            }
            int[] counts = plain.batchUpdate(sql, arguments);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 1) {
                    throw new IllegalStateException(counts[i] + " rows of " + table(shape.get(0)) + " match id "
                                                    + same.get(i).values.get("id"));
                }
            }
        });
    }
}
