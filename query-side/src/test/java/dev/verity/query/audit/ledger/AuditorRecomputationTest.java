package dev.verity.query.audit.ledger;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.ConnectionCallback;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL that docs/ledger.md gives auditors, run as printed, must reproduce every ledger hash:
 * it is the independent implementation of the documented layout, and keeps the document honest.
 */
class AuditorRecomputationTest extends LedgerTestSupport {

    private static final Path DOCUMENT = Path.of("..", "docs", "ledger.md");
    private static final Pattern SQL_BLOCK = Pattern.compile("```sql\\n(-- verity-ledger-recompute.*?)```", Pattern.DOTALL);

    @Test
    void documentedSql_reproducesEveryLedgerHash_fromTheEventStoreAlone() throws Exception {
        awaitChained(appendTask());
        awaitChained(appendTask());
        Matcher block = SQL_BLOCK.matcher(Files.readString(DOCUMENT));
        assertThat(block.find()).as("the recompute SQL block in " + DOCUMENT).isTrue();
        String functions = block.group(1);

        long[] counts = owner.execute((ConnectionCallback<long[]>) connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute(functions);
                try (ResultSet rs = statement.executeQuery("""
                        SELECT (SELECT max(position) FROM event_store.ledger) AS head,
                               count(*) FILTER (WHERE l.hash = c.chain_hash AND l.global_index = c.chain_global_index) AS same
                        FROM pg_temp.ledger_chain((SELECT max(position) FROM event_store.ledger)) c
                        LEFT JOIN event_store.ledger l ON l.position = c.chain_position""")) {
                    rs.next();
                    return new long[] {rs.getLong("head"), rs.getLong("same")};
                } finally {
                    statement.execute("DROP FUNCTION pg_temp.ledger_chain(bigint); DROP FUNCTION pg_temp.ledger_field(bytea)");
                }
            }
        });

        assertThat(counts[0]).isPositive();
        assertThat(counts[1]).isEqualTo(counts[0]);
    }
}
