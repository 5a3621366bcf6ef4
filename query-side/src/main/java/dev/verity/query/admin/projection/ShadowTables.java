package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Empty copies of read-model tables in a schema of their own, for a rebuild to fill and swap in
 * or for a verification to compare against.
 * <p>
 * A copy has the live table's columns, defaults, CHECK constraints, primary and unique keys and
 * indexes, all under the live names (index names are per schema, so they do not collide), so a
 * swapped-in table is indistinguishable from one Flyway made. Row-level security and the grants
 * are not copied but applied by {@code read_model.enable_tenant_isolation}, the one definition
 * every read-model table gets: on each copy as it is made, because the projections fill it as
 * {@code verity_writer} under row-level security just as they write the live tables, and again at
 * the swap.
 */
@Component
class ShadowTables {

    private static final String READ_MODEL = ReadModelWriter.READ_MODEL;
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern NOT_IDENTIFIER = Pattern.compile("[^a-z0-9_]");

    private final JdbcTemplate jdbc;

    ShadowTables(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A schema name derived from {@code name} that is a plain identifier, e.g. {@code rebuild_event_log}. */
    static String schemaName(String prefix, String name) {
        String schema = prefix + NOT_IDENTIFIER.matcher(name.toLowerCase(Locale.ROOT)).replaceAll("_");
        return schema.length() > 63 ? schema.substring(0, 63) : schema;
    }

    /** (Re)creates {@code schema} holding empty copies of {@code tables}; whatever a crashed run left there goes. */
    void create(String schema, List<String> tables) {
        createWithKeys(schema, tables);
        createIndexes(schema, tables);
    }

    /**
     * Like {@link #create} but with the primary and unique keys only, for a bulk load: the other
     * indexes are built once by {@link #createIndexes} when the rows are in, which costs less
     * than keeping them up to date row by row.
     */
    void createWithKeys(String schema, List<String> tables) {
        identifiers(schema, tables);
        drop(schema);
        jdbc.execute("CREATE SCHEMA " + schema);
        jdbc.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + TenantWrites.WRITER_ROLE);
        for (String table : tables) {
            String live = READ_MODEL + "." + table;
            String copy = schema + "." + table;
            jdbc.execute("CREATE TABLE " + copy + " (LIKE " + live + " INCLUDING ALL EXCLUDING INDEXES)");
            for (Map<String, Object> key : jdbc.queryForList("""
                    SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
                     WHERE conrelid = ?::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname""", live)) {
                jdbc.execute("ALTER TABLE " + copy + " ADD CONSTRAINT " + quote(key.get("conname"))
                             + " " + key.get("definition"));
            }
            jdbc.execute("SELECT read_model.enable_tenant_isolation('" + copy + "')");
        }
    }

    /** Adds the live tables' indexes that are not keys to the copies in {@code schema}. */
    void createIndexes(String schema, List<String> tables) {
        identifiers(schema, tables);
        for (String table : tables) {
            String live = READ_MODEL + "." + table;
            String copy = schema + "." + table;
            String rendered = jdbc.queryForObject("SELECT ?::regclass::text", String.class, live);
            Pattern on = Pattern.compile(" ON (ONLY )?" + Pattern.quote(rendered) + " USING ");
            for (String index : jdbc.queryForList("""
                    SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                     WHERE i.indrelid = ?::regclass
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                     ORDER BY i.indexrelid""", String.class, live)) {
                Matcher target = on.matcher(index);
                if (!target.find()) {
                    throw new IllegalStateException("Cannot copy index of " + live + ": " + index);
                }
                jdbc.execute(target.replaceFirst(Matcher.quoteReplacement(" ON " + copy + " USING ")));
            }
            // The planner knows nothing of rows loaded in bulk until autovacuum comes by.
            jdbc.execute("ANALYZE " + copy);
        }
    }

    void drop(String schema) {
        identifiers(schema, List.of());
        jdbc.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /**
     * Replaces the live tables with the copies in {@code schema} and drops the then empty schema.
     * Runs in the caller's transaction, so readers see the old tables or the new ones, never a mix.
     * Old tables are dropped without CASCADE: should anything depend on them (a view), the swap
     * fails and rolls back instead of silently dropping it.
     */
    void swapIn(String schema, List<String> tables, Duration lockTimeout) {
        identifiers(schema, tables);
        jdbc.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
        for (String table : tables) {
            jdbc.execute("DROP TABLE " + READ_MODEL + "." + table);
        }
        for (String table : tables) {
            jdbc.execute("ALTER TABLE " + schema + "." + table + " SET SCHEMA " + READ_MODEL);
            jdbc.execute("SELECT read_model.enable_tenant_isolation('" + READ_MODEL + "." + table + "')");
            // A copy made with LIKE has no triggers: the live stream's version notices go on here (V19).
            jdbc.execute("SELECT read_model.enable_version_notices('" + READ_MODEL + "." + table + "')");
        }
        jdbc.execute("DROP SCHEMA " + schema);
    }

    /** Names are spliced into DDL, so only plain identifiers pass. */
    private static void identifiers(String schema, List<String> tables) {
        Stream.concat(Stream.of(schema), tables.stream())
              .filter(name -> name == null || !IDENTIFIER.matcher(name).matches())
              .findFirst()
              .ifPresent(name -> {
                  throw new IllegalArgumentException("Not a plain SQL identifier: " + name);
              });
    }

    private static String quote(Object identifier) {
        return "\"" + String.valueOf(identifier).replace("\"", "\"\"") + "\"";
    }
}
