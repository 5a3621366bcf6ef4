package dev.verity.query.platform.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.query.QuerySideTest;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadModelWriterTest extends QuerySideTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final UUID tenant = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();

    @Autowired
    private NamedParameterJdbcTemplate jdbc;
    @Autowired
    private TokenStore tokenStore;
    @Autowired
    private TransactionManager axonTransactionManager;

    private ReadModelWriter writer() {
        return new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL);
    }

    @Test
    void insert_createsARowOnce() {
        assertThat(writer().insert("tasks", task(taskId, 0))).isTrue();
        assertThat(writer().insert("tasks", task(taskId, 7))).isFalse();

        assertThat(version(taskId)).isZero();
    }

    @Test
    void advance_returnsTheTenant_onlyWhileTheRowIsBehind() {
        writer().insert("tasks", task(taskId, 0));

        assertThat(writer().advance("tasks", taskId, 1, T0.plusSeconds(1))).contains(tenant);
        assertThat(writer().advance("tasks", taskId, 1, T0.plusSeconds(2))).isEmpty();
        assertThat(writer().advance("tasks", taskId, 0, T0.plusSeconds(3))).isEmpty();
        assertThat(writer().advance("tasks", UuidV7.generate(), 1, T0)).isEmpty();

        assertThat(owner.queryForMap("SELECT version, updated_at FROM read_model.tasks WHERE id = ?", taskId))
                .containsEntry("version", 1L)
                .containsEntry("updated_at", java.sql.Timestamp.from(T0.plusSeconds(1)));
    }

    @Test
    void update_setsTheGivenColumns() {
        writer().insert("tasks", task(taskId, 0));

        writer().update("tasks", new MapSqlParameterSource("tenant_id", tenant).addValue("id", taskId),
                        new MapSqlParameterSource("status", "blocked").addValue("block_reason", "why"));

        assertThat(owner.queryForMap("SELECT status, block_reason FROM read_model.tasks WHERE id = ?", taskId))
                .containsEntry("status", "blocked").containsEntry("block_reason", "why");
    }

    @Test
    void insert_fails_whenTheIdIsTakenByAnotherTenantsRow() {
        writer().insert("tasks", task(taskId, 0));
        MapSqlParameterSource foreign = task(taskId, 0).addValue("tenant_id", UUID.randomUUID());

        assertThatThrownBy(() -> writer().insert("tasks", foreign))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another tenant");
    }

    @Test
    void insertChild_fails_whenTheKeyIsTaken_andKeepsRowsOfOtherParentsApart() {
        UUID step = UuidV7.generate();
        UUID otherTask = UuidV7.generate();
        writer().insertChild("steps", step(step, taskId, "first"));
        writer().insertChild("steps", step(step, otherTask, "other task"));

        assertThatThrownBy(() -> writer().insertChild("steps", step(step, taskId, "again")))
                .isInstanceOf(DuplicateKeyException.class);
        assertThat(owner.queryForList("SELECT action FROM read_model.steps WHERE id = ? ORDER BY action", String.class,
                                      step)).containsExactly("first", "other task");
    }

    @Test
    void update_fails_whenNoRowMatchesTheKey() {
        writer().insert("tasks", task(taskId, 0));
        MapSqlParameterSource otherTenant = new MapSqlParameterSource("tenant_id", UUID.randomUUID()).addValue("id", taskId);

        assertThatThrownBy(() -> writer().update("tasks", otherTenant, new MapSqlParameterSource("title", "x")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer().update("tasks", new MapSqlParameterSource("id", taskId),
                                                 new MapSqlParameterSource("title", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(owner.queryForObject("SELECT title FROM read_model.tasks WHERE id = ?", String.class, taskId))
                .isEqualTo("A task");
    }

    @Test
    void increment_addsToTheGivenColumnsOfTheOneRow() {
        UUID execution = kitExecution(UuidV7.generate());
        MapSqlParameterSource key = new MapSqlParameterSource("tenant_id", tenant).addValue("id", execution);

        writer().increment("kit_executions", key, new MapSqlParameterSource("output_count", 1)
                .addValue("token_usage_total", 150));
        writer().increment("kit_executions", key, new MapSqlParameterSource("output_count", 1)
                .addValue("token_usage_total", 7));

        assertThat(owner.queryForMap("SELECT output_count, token_usage_total, outputs_failed FROM"
                                     + " read_model.kit_executions WHERE id = ?", execution))
                .containsEntry("output_count", 2).containsEntry("token_usage_total", 157)
                .containsEntry("outputs_failed", 0);
    }

    @Test
    void increment_fails_whenNoRowMatchesTheKey_orAColumnIsNotAPlainIdentifier() {
        UUID execution = kitExecution(UuidV7.generate());
        MapSqlParameterSource otherTenant = new MapSqlParameterSource("tenant_id", UUID.randomUUID())
                .addValue("id", execution);
        MapSqlParameterSource key = new MapSqlParameterSource("tenant_id", tenant).addValue("id", execution);

        assertThatThrownBy(() -> writer().increment("kit_executions", otherTenant,
                                                    new MapSqlParameterSource("output_count", 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer().increment("kit_executions", new MapSqlParameterSource("id", execution),
                                                    new MapSqlParameterSource("output_count", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer().increment("kit_executions", key,
                                                    new MapSqlParameterSource("output_count = 0, x", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(owner.queryForObject("SELECT output_count FROM read_model.kit_executions WHERE id = ?",
                                        Integer.class, execution)).isZero();
    }

    @Test
    void batch_writesManyRowsInOneStatementBatch() {
        UUID second = UuidV7.generate();
        int[] counts = writer().batch("""
                INSERT INTO {schema}.tasks (id, tenant_id, project_id, type, title, created_at, updated_at, version)
                VALUES (:id, :tenant_id, :project_id, :type, :title, :created_at, :updated_at, :version)""",
                                      List.of(task(taskId, 0), task(second, 0)));

        assertThat(counts).containsExactly(1, 1);
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?", Long.class, tenant))
                .isEqualTo(2L);
    }

    private UUID kitExecution(UUID id) {
        writer().insert("kit_executions", new MapSqlParameterSource("id", id).addValue("tenant_id", tenant)
                .addValue("project_id", UUID.randomUUID()).addValue("kit_id", "kit").addValue("kit_version", "1")
                .addValue("created_at", SqlValues.time(T0)).addValue("updated_at", SqlValues.time(T0))
                .addValue("version", 0));
        return id;
    }

    @Test
    void schemaAndTableNames_mustBePlainIdentifiers() {
        assertThatThrownBy(() -> new ReadModelWriter(jdbc, "read_model; DROP TABLE x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer().insert("tasks t", task(taskId, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * What the pooled processor does per batch: one Axon (Spring) transaction around the
     * handlers' writes and the token store's update. A failure rolls both back.
     */
    @Test
    void rowsAndToken_rollBackTogether() {
        String processor = "writer-test-" + UUID.randomUUID();
        Transaction transaction = axonTransactionManager.startTransaction();
        writer().insert("tasks", task(taskId, 0));
        tokenStore.initializeTokenSegments(processor, 1, new GlobalSequenceTrackingToken(42));
        transaction.rollback();

        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE id = ?", Long.class, taskId)).isZero();
        assertThat(tokens(processor)).isZero();
    }

    @Test
    void rowsAndToken_commitTogether() {
        String processor = "writer-test-" + UUID.randomUUID();
        Transaction transaction = axonTransactionManager.startTransaction();
        writer().insert("tasks", task(taskId, 0));
        tokenStore.initializeTokenSegments(processor, 1, new GlobalSequenceTrackingToken(42));
        transaction.commit();

        assertThat(version(taskId)).isZero();
        assertThat(tokens(processor)).isEqualTo(1L);
        owner.update("DELETE FROM event_store.token_entry WHERE processor_name = ?", processor);
    }

    private Long tokens(String processor) {
        return owner.queryForObject("SELECT count(*) FROM event_store.token_entry WHERE processor_name = ?",
                                    Long.class, processor);
    }

    private Long version(UUID id) {
        return owner.queryForObject("SELECT version FROM read_model.tasks WHERE id = ?", Long.class, id);
    }

    private MapSqlParameterSource step(UUID id, UUID task, String action) {
        return new MapSqlParameterSource(Map.of("id", id, "tenant_id", tenant, "task_id", task, "action", action,
                                                "sequence_number", 1L, "created_at", SqlValues.time(T0),
                                                "updated_at", SqlValues.time(T0)));
    }

    private MapSqlParameterSource task(UUID id, long version) {
        return new MapSqlParameterSource(Map.of("id", id, "tenant_id", tenant, "project_id", UUID.randomUUID(),
                                                "type", "REVIEW", "title", "A task",
                                                "created_at", SqlValues.time(T0), "updated_at", SqlValues.time(T0),
                                                "version", version));
    }
}
