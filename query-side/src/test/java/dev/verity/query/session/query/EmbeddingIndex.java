package dev.verity.query.session.query;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Statement;

/**
 * The HNSW index of {@code elicitation_obligations}, for tests and benchmarks that load thousands of
 * embeddings at once. Inserting one vector at a time into an HNSW graph costs a graph search per
 * row (20,000 rows of 1536 dimensions took over ten minutes here), while building the graph once
 * over rows already in the table is several times faster and can use parallel workers. So a bulk
 * load drops the index, loads, and builds it again from the definition the migration created,
 * leaving the schema exactly as it was.
 */
final class EmbeddingIndex {

    static final String NAME = "idx_elicitation_obligations_embedding";

    /** Enough for the graph of 100,000 vectors of 1536 dimensions to be built in memory. */
    private static final String BUILD_MEMORY = "2GB";

    private final JdbcTemplate owner;
    private final String definition;

    /** Reads the index's definition as the migration left it, before anything drops it. */
    EmbeddingIndex(JdbcTemplate owner) {
        this.owner = owner;
        this.definition = owner.queryForObject(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'read_model' AND indexname = ?",
                String.class, NAME);
    }

    boolean exists() {
        return Boolean.TRUE.equals(owner.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = 'read_model' AND indexname = ?)",
                Boolean.class, NAME));
    }

    void drop() {
        owner.execute("DROP INDEX IF EXISTS read_model." + NAME);
    }

    /**
     * Builds the index again; returns the milliseconds it took. The settings are made on the
     * connection that builds and reset after, so the pool never hands them to anyone else.
     */
    long build() {
        return owner.execute((ConnectionCallback<Long>) connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET maintenance_work_mem = '" + BUILD_MEMORY + "'");
                statement.execute("SET max_parallel_maintenance_workers = 2");
                long started = System.nanoTime();
                statement.execute(definition);
                long millis = (System.nanoTime() - started) / 1_000_000;
                statement.execute("RESET maintenance_work_mem");
                statement.execute("RESET max_parallel_maintenance_workers");
                statement.execute("ANALYZE read_model.elicitation_obligations");
                return millis;
            }
        });
    }

    /** Drops and builds again: after a bulk delete, so later searches do not walk dead entries. */
    long rebuild() {
        drop();
        return build();
    }
}
