package dev.verity.query.platform.tenancy;

import dev.verity.events.common.UuidV7;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.task.projection.TaskProjection;
import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PostgreSQL, not the SQL we write, keeps tenants apart. */
class TenantReadsTest extends QuerySideTest {

    private static final String UNFILTERED_COUNT = "SELECT count(*) FROM read_model.tasks";

    private final UUID tenantA = UUID.randomUUID();
    private final UUID tenantB = UUID.randomUUID();

    @Autowired
    private TenantReads tenantReads;
    @Autowired
    private NamedParameterJdbcTemplate jdbc;

    @BeforeEach
    void twoTenantsWithTasks() {
        TaskProjection projection = new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
        UUID project = UUID.randomUUID();
        for (UUID tenant : new UUID[] {tenantA, tenantA, tenantB, tenantB, tenantB}) {
            projection.on(TaskEvents.created(UuidV7.generate(), tenant, project), 0, Instant.now(),
                          EventStreams.metaData(tenant));
        }
    }

    @Test
    void read_withoutATenantFilter_seesOnlyItsTenantsRows() {
        Long countA = tenantReads.read(tenantA, reader -> reader.getJdbcTemplate().queryForObject(UNFILTERED_COUNT, Long.class));
        Long countB = tenantReads.read(tenantB, reader -> reader.getJdbcTemplate().queryForObject(UNFILTERED_COUNT, Long.class));

        assertThat(countA).isEqualTo(2L);
        assertThat(countB).isEqualTo(3L);
    }

    @Test
    void read_forATenantWithNoRows_seesNothing() {
        Long count = tenantReads.read(UUID.randomUUID(),
                                      reader -> reader.getJdbcTemplate().queryForObject(UNFILTERED_COUNT, Long.class));

        assertThat(count).isZero();
    }

    @Test
    void readTogether_seesOnlyItsTenantsRows_inEverySelect() {
        SelectBatch batch = new SelectBatch();
        SelectBatch.Rows<Long> count = batch.add(UNFILTERED_COUNT, (rs, n) -> rs.getLong(1));
        SelectBatch.Rows<UUID> tenants = batch.add("SELECT DISTINCT tenant_id FROM read_model.tasks",
                                                   (rs, n) -> rs.getObject(1, UUID.class));
        SelectBatch.Rows<Long> othersAsked = batch.add("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?",
                                                       (rs, n) -> rs.getLong(1), tenantA);
        SelectBatch.Rows<String> role = batch.add("SELECT current_user", (rs, n) -> rs.getString(1));

        tenantReads.readTogether(tenantB, batch);

        assertThat(count.list()).containsExactly(3L);
        assertThat(tenants.list()).containsExactly(tenantB);
        assertThat(othersAsked.list()).containsExactly(0L);
        assertThat(role.list()).containsExactly("verity_reader");
    }

    @Test
    void read_bindsTheReaderRole_andTheTenant_forTheTransactionOnly() {
        String inside = tenantReads.read(tenantA, reader -> reader.getJdbcTemplate().queryForObject(
                "SELECT current_user || ' ' || current_setting('app.current_tenant_id')", String.class));
        String after = jdbc.getJdbcTemplate().queryForObject("SELECT current_user", String.class);

        assertThat(inside).isEqualTo("verity_reader " + tenantA);
        assertThat(after).isNotEqualTo("verity_reader");
    }

    @Test
    void readTogether_refusesToWrite() {
        Long before = owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?", Long.class, tenantA);
        SelectBatch batch = new SelectBatch();
        batch.add("DELETE FROM read_model.tasks RETURNING id", (rs, n) -> rs.getObject(1, UUID.class));

        assertThatThrownBy(() -> tenantReads.readTogether(tenantA, batch)).isInstanceOf(DataAccessException.class);

        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?", Long.class, tenantA))
                .isEqualTo(before);
    }

    /**
     * On a fresh connection: once a connection has had a tenant set, PostgreSQL keeps the setting
     * as '' rather than unset, and the policy's cast to uuid then fails (closed) instead of matching nothing.
     */
    @Test
    void readerRole_withNoTenantSet_seesNoRows() throws SQLException {
        TestDatabase.Connection database = TestDatabase.connection();
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(), database.password());
             Statement statement = connection.createStatement()) {
            statement.execute("SET ROLE verity_reader");
            ResultSet count = statement.executeQuery(UNFILTERED_COUNT);
            count.next();

            assertThat(count.getLong(1)).isZero();
        }
        assertThat(owner.queryForObject(UNFILTERED_COUNT, Long.class)).isGreaterThanOrEqualTo(5L);
    }

    @Test
    void read_refusesToWrite() {
        Long before = owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?", Long.class, tenantA);

        assertThatThrownBy(() -> tenantReads.read(tenantA, reader ->
                        reader.getJdbcTemplate().update("DELETE FROM read_model.tasks")))
                .isInstanceOf(DataAccessException.class);

        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.tasks WHERE tenant_id = ?", Long.class, tenantA))
                .isEqualTo(before);
    }
}
