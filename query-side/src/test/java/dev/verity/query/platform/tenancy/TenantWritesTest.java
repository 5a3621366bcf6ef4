package dev.verity.query.platform.tenancy;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.EventStreams;
import dev.verity.query.ProbeProjection;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.platform.projection.ProjectionReplayer;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Projection writes are confined to their event's tenant by PostgreSQL. The probe projection is
 * made to run a faulty statement on purpose, from inside its live handler, aimed at another
 * tenant's rows: the database refuses it and the event is parked, never applied.
 */
class TenantWritesTest extends QuerySideTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID victimTenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID victim = UuidV7.generate();
    private final UUID trespasser = UuidV7.generate();
    private final List<UUID> tasks = new ArrayList<>(List.of(victim, trespasser));

    @Autowired
    private TenantWrites tenantWrites;
    @Autowired
    private PlatformTransactionManager transactionManager;
    @Autowired
    private Projections projections;
    @Autowired
    private NamedParameterJdbcTemplate jdbc;
    @Autowired
    private ConnectionProvider connectionProvider;

    @AfterEach
    void cleanUp() {
        ProbeProjection.reset();
        tasks.forEach(id -> owner.update("DELETE FROM event_store.dead_letter_entry WHERE sequence_identifier = ?",
                                         id.toString()));
    }

    @Test
    void aProjectionStatement_insertingAnotherTenantsRow_isRefused_andTheEventParked() {
        UUID smuggled = UuidV7.generate();
        tasks.add(smuggled);
        createBoth();
        ProbeProjection.trespassOn(trespasser, """
                INSERT INTO {schema}.probe_tasks (id, tenant_id, title, created_at, updated_at, version)
                VALUES (:id, :tenant_id, 'smuggled', now(), now(), 0)""",
                new MapSqlParameterSource("id", smuggled).addValue("tenant_id", victimTenant));

        eventStreams.append(tenant, new TaskAssigned(trespasser, AssigneeType.USER, "mallory"));

        assertThat(awaitParkedCause(trespasser)).contains(ProbeProjection.TrespassRefused.class.getName())
                                                .contains("SQLState 42501");
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class,
                                        smuggled)).isZero();
        assertThat(probeRow(trespasser)).as("the handler's own write is rolled back with it")
                                        .containsEntry("version", 0L);
    }

    @Test
    void aProjectionStatement_updatingAnotherTenantsRow_reachesNoRow_andTheEventParked() {
        createBoth();
        ProbeProjection.trespassOn(trespasser, "UPDATE {schema}.probe_tasks SET title = 'defaced' WHERE id = :id",
                                   new MapSqlParameterSource("id", victim));

        eventStreams.append(tenant, new TaskAssigned(trespasser, AssigneeType.USER, "mallory"));

        assertThat(awaitParkedCause(trespasser)).contains(ProbeProjection.TrespassReachedNoRow.class.getName());
        assertThat(probeRow(victim)).containsEntry("title", "Review the spec").containsEntry("tenant_id", victimTenant);
    }

    @Test
    void aProjectionStatement_movingItsOwnRowToAnotherTenant_isRefused_andTheEventParked() {
        createBoth();
        ProbeProjection.trespassOn(trespasser, "UPDATE {schema}.probe_tasks SET tenant_id = :tenant_id WHERE id = :id",
                                   new MapSqlParameterSource("id", trespasser).addValue("tenant_id", victimTenant));

        eventStreams.append(tenant, new TaskAssigned(trespasser, AssigneeType.USER, "mallory"));

        assertThat(awaitParkedCause(trespasser)).contains(ProbeProjection.TrespassRefused.class.getName())
                                                .contains("SQLState 42501");
        assertThat(probeRow(trespasser)).containsEntry("tenant_id", tenant);
    }

    /** Rebuilds, verification and as-of views replay through the same confinement. */
    @Test
    void aReplayedStatementInsertingAnotherTenantsRow_isRefused() {
        UUID smuggled = UuidV7.generate();
        ProbeProjection.trespassOn(trespasser, """
                INSERT INTO {schema}.probe_tasks (id, tenant_id, title, created_at, updated_at, version)
                VALUES (:id, :tenant_id, 'smuggled', now(), now(), 0)""",
                new MapSqlParameterSource("id", smuggled).addValue("tenant_id", victimTenant));
        ProjectionReplayer replayer = new ProjectionReplayer(
                projections.find(ProbeProjection.NAME).orElseThrow()
                           .newInstance(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL)), tenantWrites);
        List<EventMessage<?>> events = List.of(
                new GenericDomainEventMessage<>("Task", trespasser.toString(), 0,
                                                TaskEvents.created(trespasser, tenant, project), EventStreams.metaData(tenant)),
                new GenericDomainEventMessage<>("Task", trespasser.toString(), 1,
                                                new TaskAssigned(trespasser, AssigneeType.USER, "mallory"),
                                                EventStreams.metaData(tenant)));

        assertThatThrownBy(() -> new TransactionTemplate(transactionManager)
                .executeWithoutResult(status -> replayer.apply(events)))
                .hasMessageContaining("violates row-level security policy");
        assertThat(owner.queryForObject("SELECT count(*) FROM read_model.probe_tasks WHERE id IN (?, ?)", Long.class,
                                        smuggled, trespasser)).isZero();
    }

    @Test
    void asTenantOf_runsTheHandlingAsTheWriterBoundToTheEventsTenant_andAxonsStatementsAsTheOwner() {
        GenericEventMessage<String> event = new GenericEventMessage<>("payload", EventStreams.metaData(tenant));
        GenericEventMessage<String> next = new GenericEventMessage<>("payload", EventStreams.metaData(victimTenant));
        String owner = this.owner.queryForObject("SELECT current_user", String.class);

        Map<String, Object> inside = new TransactionTemplate(transactionManager).execute(status -> {
            try {
                Map<String, Object> during = tenantWrites.asTenantOf(event, this::roleAndTenant);
                // The next handling of the batch, its savepoint and tenant taken in one round trip.
                during.put("next", tenantWrites.asTenantOf(next, this::roleAndTenant));
                during.put("axon", currentUserOf(connectionProvider.getConnection()));
                during.put("axon again", currentUserOf(connectionProvider.getConnection()));
                during.put("after axon", tenantWrites.asTenantOf(event, this::roleAndTenant));
                return during;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(inside).containsEntry("role", TenantWrites.WRITER_ROLE)
                          .containsEntry("tenant", tenant.toString())
                          .containsEntry("next", Map.of("role", TenantWrites.WRITER_ROLE,
                                                        "tenant", victimTenant.toString()))
                          .containsEntry("axon", owner)
                          .containsEntry("axon again", owner)
                          .containsEntry("after axon", Map.of("role", TenantWrites.WRITER_ROLE,
                                                              "tenant", tenant.toString()));
    }

    @Test
    void asTenantOf_whenTheNextHandlingFails_keepsTheOneBefore_andGivesTheTransactionBackToTheOwner() {
        GenericEventMessage<String> event = new GenericEventMessage<>("payload", EventStreams.metaData(tenant));
        UUID kept = UuidV7.generate();
        UUID undone = UuidV7.generate();
        tasks.addAll(List.of(kept, undone));
        String owner = this.owner.queryForObject("SELECT current_user", String.class);

        Map<String, Object> after = new TransactionTemplate(transactionManager).execute(status -> {
            try {
                tenantWrites.asTenantOf(event, () -> insertProbe(kept));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            assertThatThrownBy(() -> tenantWrites.asTenantOf(event, () -> {
                insertProbe(undone);
                return this.owner.queryForObject("SELECT 1 / 0", Integer.class);
            })).hasMessageContaining("division by zero");
            return this.owner.queryForMap("SELECT current_user AS role, (SELECT count(*) FROM read_model.probe_tasks"
                                          + " WHERE id = ?) AS kept, (SELECT count(*) FROM read_model.probe_tasks"
                                          + " WHERE id = ?) AS undone", kept, undone);
        });

        assertThat(after).containsEntry("role", owner).containsEntry("kept", 1L).containsEntry("undone", 0L);
        this.owner.update("DELETE FROM read_model.probe_tasks WHERE id = ?", kept);
    }

    @Test
    void asTenantOf_whenTheHandlingFails_undoesItsWritesAndSettings_andLeavesTheTransactionToTheOwner() {
        GenericEventMessage<String> event = new GenericEventMessage<>("payload", EventStreams.metaData(tenant));
        UUID written = UuidV7.generate();
        tasks.add(written);
        String owner = this.owner.queryForObject("SELECT current_user", String.class);

        Map<String, Object> after = new TransactionTemplate(transactionManager).execute(status -> {
            assertThatThrownBy(() -> tenantWrites.asTenantOf(event, () -> {
                this.owner.update("INSERT INTO read_model.probe_tasks (id, tenant_id, title, created_at, updated_at,"
                                  + " version) VALUES (?, ?, 'half-way', now(), now(), 0)", written, tenant);
                return this.owner.queryForObject("SELECT 1 / 0", Integer.class);
            })).hasMessageContaining("division by zero");
            // The transaction is usable again, as the connection's user, with the handling's row gone.
            return this.owner.queryForMap("SELECT current_user AS role, current_setting('app.current_tenant_id', true)"
                                          + " AS tenant, (SELECT count(*) FROM read_model.probe_tasks WHERE id = ?)"
                                          + " AS rows", written);
        });

        assertThat(after).containsEntry("role", owner).containsEntry("rows", 0L);
        assertThat((String) after.get("tenant")).isNullOrEmpty();
    }

    @Test
    void asTenantOf_refusesToRunOutsideATransaction() {
        GenericEventMessage<String> event = new GenericEventMessage<>("payload", EventStreams.metaData(tenant));

        assertThatThrownBy(() -> tenantWrites.asTenantOf(event, () -> null))
                .isInstanceOf(IllegalStateException.class);
    }

    private Map<String, Object> roleAndTenant() {
        return owner.queryForMap("SELECT current_user AS role, current_setting('app.current_tenant_id') AS tenant");
    }

    private int insertProbe(UUID id) {
        return owner.update("INSERT INTO read_model.probe_tasks (id, tenant_id, title, created_at, updated_at, version)"
                            + " VALUES (?, ?, 'written', now(), now(), 0)", id, tenant);
    }

    private static String currentUserOf(Connection connection) throws SQLException {
        try (connection; Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_user")) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** The victim's task in its tenant and the trespasser's in its own, both projected. */
    private void createBoth() {
        eventStreams.append(victimTenant, TaskEvents.created(victim, victimTenant, project));
        eventStreams.append(tenant, TaskEvents.created(trespasser, tenant, project));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.probe_tasks WHERE id IN (?, ?)", Long.class, victim, trespasser) == 2);
    }

    private String awaitParkedCause(UUID taskId) {
        String query = "SELECT cause_message FROM event_store.dead_letter_entry"
                       + " WHERE processing_group = ? AND sequence_identifier = ?";
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
               .until(() -> !owner.queryForList(query, String.class, ProbeProjection.NAME, taskId.toString()).isEmpty());
        return owner.queryForList(query, String.class, ProbeProjection.NAME, taskId.toString()).get(0);
    }

    private Map<String, Object> probeRow(UUID taskId) {
        return owner.queryForMap("SELECT tenant_id, title, version FROM read_model.probe_tasks WHERE id = ?", taskId);
    }
}
