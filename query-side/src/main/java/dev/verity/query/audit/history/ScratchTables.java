package dev.verity.query.audit.history;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Empty, private copies of read-model tables for the length of one transaction, in which a
 * record's past is projected and read back. They are temporary tables ({@code pg_temp}): only
 * this connection sees them, they vanish with the transaction, and the transaction is always
 * rolled back, so nothing a replay writes can reach the live tables or another request.
 * <p>
 * Each copy gets the live table's constraints and indexes (the projection's inserts rely on its
 * keys) and the platform's tenant isolation, so the projection writes it as {@code verity_writer}
 * and the query code reads it as {@code verity_reader}, both under row-level security, just as
 * they write and read the live table.
 */
@Component
class ScratchTables {

    /** The schema name that always means this session's temporary tables. */
    static final String SCHEMA = "pg_temp";

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    ScratchTables(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactionManager);
    }

    /** Runs {@code work} with empty copies of {@code tables} in {@link #SCHEMA}, then discards everything. */
    <T> T use(List<String> tables, Supplier<T> work) {
        return transaction.execute(status -> {
            status.setRollbackOnly();
            for (String table : tables) {
                if (!TABLE.matcher(table).matches()) {
                    throw new IllegalArgumentException("Not a plain table name: " + table);
                }
                jdbc.execute("CREATE TEMP TABLE " + table + " (LIKE read_model." + table + " INCLUDING ALL)"
                             + " ON COMMIT DROP");
                jdbc.execute("SELECT read_model.enable_tenant_isolation('" + SCHEMA + "." + table + "')");
            }
            return work.get();
        });
    }
}
