package dev.verity.query.task.query;

import dev.verity.query.QuerySideTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.jdbc.core.ConnectionCallback;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task list's filters keep an index to look them up (V26 narrowed two of them to the rows that
 * have a value). The list's statements are prepared, and PostgreSQL soon plans a prepared statement
 * once for any parameter, so the plan checked here is that generic one: a partial index serves it
 * only if {@code column = $1} proves the index's {@code column IS NOT NULL} without knowing $1.
 */
class TaskListIndexesTest extends QuerySideTest {

    @ParameterizedTest
    @CsvSource({
            "assignee_id,    varchar, idx_tasks_assignee",
            "parent_task_id, uuid,    idx_tasks_parent",
            "project_id,     uuid,    idx_tasks_status",
    })
    void aListFilter_isLookedUpThroughItsIndex_forAnyValue(String column, String type, String index) {
        String plan = genericPlan("SELECT id FROM read_model.tasks WHERE " + column + " = $1", type);

        assertThat(plan).contains(" " + index + " ")
                        .containsPattern("Index Cond: \\(+" + column + "\\b[^=]*= \\(?\\$1");
    }

    /** The plan of {@code sql} prepared with one parameter of {@code type}, as planned for any value. */
    private String genericPlan(String sql, String type) {
        String statement = "plan_" + UUID.randomUUID().toString().replace("-", "");
        return owner.execute((ConnectionCallback<String>) connection -> {
            try (Statement session = connection.createStatement()) {
                // Sequential scans off: on a test table of a few hundred rows the planner may rightly
                // prefer one, which would say nothing about the index.
                session.execute("SET enable_seqscan = off");
                session.execute("SET plan_cache_mode = force_generic_plan");
                session.execute("PREPARE " + statement + " (" + type + ") AS " + sql);
                try {
                    return explain(connection, "EXPLAIN EXECUTE " + statement + " (NULL)");
                } finally {
                    session.execute("DEALLOCATE " + statement);
                    session.execute("RESET plan_cache_mode");
                    session.execute("RESET enable_seqscan");
                }
            }
        });
    }

    private static String explain(Connection connection, String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement explain = connection.createStatement(); ResultSet plan = explain.executeQuery(sql)) {
            while (plan.next()) {
                lines.add(plan.getString(1));
            }
        }
        return String.join("\n", lines);
    }
}
