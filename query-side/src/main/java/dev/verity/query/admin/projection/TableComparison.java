package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Compares a live read-model table with its rebuilt copy row by row: a full outer join on the
 * primary key, and a row differs when the whole row (every column, in the live table's column
 * order) {@code IS DISTINCT FROM} its counterpart, or has none. Nothing is left out: every column
 * a projection writes comes from the events, so a rebuild must reproduce it exactly. {@code json}
 * columns are compared as {@code jsonb}, since {@code json} has no equality.
 * Runs in the caller's transaction, so the caller decides which snapshot is compared.
 */
@Component
class TableComparison {

    static final int MAX_KEYS = 20;

    /** One table's verdict; missing rows are in the log but not live, extra rows live but not in the log. */
    record TableResult(String table, String projection, long liveRows, long rebuiltRows, long differingRows,
                       long missingRows, long extraRows, long changedRows, List<String> differingKeys, boolean ok) {
    }

    private final JdbcTemplate jdbc;

    TableComparison(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    TableResult compare(String projection, String table, String rebuiltSchema) {
        return compare(projection, table, rebuiltSchema, null);
    }

    /** Compares only the rows of {@code tenant} on both sides; null compares every row. */
    TableResult compare(String projection, String table, String rebuiltSchema, UUID tenant) {
        return compare(projection, table, ReadModelWriter.READ_MODEL, rebuiltSchema, tenant);
    }

    /** As {@link #compare(String, String, String, UUID)}, with the live rows taken from a copy in {@code liveSchema}. */
    TableResult compare(String projection, String table, String liveSchema, String rebuiltSchema, UUID tenant) {
        String live = liveSchema + "." + table;
        String rebuilt = rebuiltSchema + "." + table;
        String liveRows = tenant == null ? live : onlyTenant(live, tenant);
        String rebuiltRows = tenant == null ? rebuilt : onlyTenant(rebuilt, tenant);
        List<Map<String, Object>> columns = jdbc.queryForList("""
                SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
                 WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum""", live);
        List<String> key = jdbc.queryForList("""
                SELECT a.attname FROM pg_index i
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                 WHERE i.indrelid = ?::regclass AND i.indisprimary
                 ORDER BY array_position(i.indkey::int2[], a.attnum)""", String.class, live);
        if (key.isEmpty()) {
            throw new IllegalStateException(live + " has no primary key to compare rows by");
        }
        String join = " FROM " + liveRows + " l FULL OUTER JOIN " + rebuiltRows + " r ON "
                      + key.stream().map(c -> "l." + quote(c) + " = r." + quote(c)).collect(Collectors.joining(" AND "))
                      + " WHERE ROW(" + row("l", columns) + ") IS DISTINCT FROM ROW(" + row("r", columns) + ")";
        String firstKey = quote(key.get(0));
        Map<String, Object> counts = jdbc.queryForMap(
                "SELECT (SELECT count(*) FROM " + liveRows + " t) AS live_rows,"
                + " (SELECT count(*) FROM " + rebuiltRows + " t) AS rebuilt_rows,"
                + " count(*) AS differing,"
                + " count(*) FILTER (WHERE l." + firstKey + " IS NULL) AS missing,"
                + " count(*) FILTER (WHERE r." + firstKey + " IS NULL) AS extra" + join);
        List<String> keys = jdbc.queryForList(
                "SELECT " + keyText(key) + " AS k" + join + " ORDER BY 1 LIMIT " + MAX_KEYS, String.class);
        long differing = number(counts, "differing");
        long missing = number(counts, "missing");
        long extra = number(counts, "extra");
        return new TableResult(table, projection, number(counts, "live_rows"), number(counts, "rebuilt_rows"),
                               differing, missing, extra, differing - missing - extra, keys, differing == 0);
    }

    /** A UUID's text is digits, letters and dashes only, so it is spliced as a literal. */
    private static String onlyTenant(String table, UUID tenant) {
        return "(SELECT * FROM " + table + " WHERE tenant_id = '" + tenant + "'::uuid)";
    }

    private static String row(String alias, List<Map<String, Object>> columns) {
        return columns.stream()
                      .map(column -> alias + "." + quote(column.get("attname"))
                                     + ("json".equals(column.get("type")) ? "::jsonb" : ""))
                      .collect(Collectors.joining(", "));
    }

    /** A single-column key as its text; a composite one as a JSON object of its columns. */
    private static String keyText(List<String> key) {
        if (key.size() == 1) {
            return "coalesce(l." + quote(key.get(0)) + ", r." + quote(key.get(0)) + ")::text";
        }
        return key.stream()
                  .map(c -> "'" + c.replace("'", "''") + "', coalesce(l." + quote(c) + ", r." + quote(c) + ")")
                  .collect(Collectors.joining(", ", "json_build_object(", ")::text"));
    }

    private static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    private static String quote(Object identifier) {
        return "\"" + String.valueOf(identifier).replace("\"", "\"\"") + "\"";
    }
}
