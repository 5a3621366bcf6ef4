package dev.verity.query.admin;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.ConcurrentWriters;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/v1/audit/verify}: a tenant's auditor proves its own tables against its own
 * events. Each test works in fresh tenants, so rows other test classes write straight into the
 * shared read model never show up here, and no rebuild is needed first.
 */
class TenantVerifyTest extends AdminApiTest {

    private static final String VERIFY = "/api/v1/audit/verify";

    private final UUID project = UUID.randomUUID();
    private final UUID otherTenant = UUID.randomUUID();
    private UUID tampered;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @AfterEach
    void repair() {
        if (tampered != null) {
            owner.update("UPDATE read_model.tasks SET title = ? WHERE id = ?",
                         TaskEvents.created(tampered, tenant, project).title(), tampered);
        }
    }

    @Test
    void aTamperedRow_isReportedToItsTenantsAuditor_andNotToAnotherTenants() {
        UUID mine = task(tenant);
        UUID untouched = task(tenant);
        UUID theirs = task(otherTenant);
        tampered = mine;
        owner.update("UPDATE read_model.tasks SET title = 'tampered' WHERE id = ?", mine);

        Response own = api().post(VERIFY, auditor(tenant));
        Response other = api().post(VERIFY, auditor(otherTenant));

        assertThat(own.status()).as("%s", own.body()).isEqualTo(200);
        assertThat(own.body().get("ok").asBoolean()).isFalse();
        JsonNode tasks = tables(own.body()).get("tasks");
        assertThat(tasks.get("ok").asBoolean()).isFalse();
        assertThat(tasks.get("changedRows").asLong()).isOne();
        assertThat(tasks.get("liveRows").asLong()).as("only its own rows are compared").isEqualTo(2);
        assertThat(keys(tasks)).containsExactly(mine.toString());
        assertThat(own.body().toString()).doesNotContain(theirs.toString());
        tables(own.body()).values().stream().filter(table -> !table.get("table").asString().equals("tasks"))
                          .forEach(table -> assertThat(table.get("ok").asBoolean()).as("%s", table).isTrue());
        assertThat(own.body().get("projections")).isNotEmpty()
                .allSatisfy(projection -> assertThat(projection.get("error").isNull()).as("%s", projection).isTrue());

        assertThat(other.status()).as("%s", other.body()).isEqualTo(200);
        assertThat(other.body().get("ok").asBoolean()).as("%s", other.body()).isTrue();
        assertThat(tables(other.body())).containsKeys("tasks", "task_activity", "event_log");
        assertThat(tables(other.body()).get("tasks").get("liveRows").asLong()).isOne();
        assertThat(other.body().toString()).doesNotContain(mine.toString(), untouched.toString());
        assertThat(owner.queryForList("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'verify\\_%'",
                                      String.class)).isEmpty();
    }

    @Test
    void tenantVerify_isOk_whileAndAfterConcurrentWritersCommitOutOfOrder() throws Exception {
        ConcurrentWriters writers = new ConcurrentWriters(eventStreams, transactionManager, tenant, project).start(25);
        Response during;
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> writers.appended() >= 100);
            during = api().post(VERIFY, auditor(tenant));
            writers.awaitDone();
        } finally {
            writers.stop();
        }
        writers.versions().forEach(this::awaitTaskVersion);
        long events = writers.appended();
        await().atMost(Duration.ofSeconds(15)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM read_model.event_log WHERE tenant_id = ?", Long.class, tenant) == events);

        Response after = api().post(VERIFY, auditor(tenant));

        for (Response response : List.of(during, after)) {
            assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
            assertThat(response.body().get("ok").asBoolean()).as("%s", response.body()).isTrue();
            assertThat(response.body().get("tables")).allSatisfy(table -> {
                assertThat(table.get("ok").asBoolean()).as("%s", table).isTrue();
                assertThat(table.get("differingKeys")).isEmpty();
            });
        }
        assertThat(tables(after.body()).get("event_log").get("liveRows").asLong()).isEqualTo(events);
        assertThat(tables(after.body()).get("tasks").get("liveRows").asLong()).isEqualTo(writers.versions().size());
        after.body().get("projections").forEach(projection -> {
            assertThat(projection.get("caughtUp").asBoolean()).as("%s", projection).isTrue();
        });
    }

    @Test
    void aRowMissingFromTheLiveTable_isReportedAsMissing_forItsTenantOnly() {
        UUID deleted = task(tenant);
        owner.update("DELETE FROM read_model.task_activity WHERE task_id = ?", deleted);

        JsonNode activity = tables(api().post(VERIFY, auditor(tenant)).body()).get("task_activity");

        assertThat(activity.get("ok").asBoolean()).isFalse();
        assertThat(activity.get("missingRows").asLong()).isPositive();
        assertThat(activity.get("liveRows").asLong()).isZero();
    }

    @Test
    void tenantVerify_needsTheAuditScope() {
        assertProblem(api().post(VERIFY, null), 401, "unauthorized");
        assertProblem(api().post(VERIFY, reader()), 403, "forbidden");
        assertProblem(api().post(VERIFY, admin()), 403, "forbidden");
        assertProblem(api().post(VERIFY, operator()), 403, "forbidden");
    }

    private UUID task(UUID tenantId) {
        UUID id = UuidV7.generate();
        awaitTaskVersion(id, eventStreams.append(tenantId, TaskEvents.created(id, tenantId, project),
                                                 new TaskAssigned(id, AssigneeType.USER, "bob")));
        return id;
    }

    private String auditor(UUID tenantId) {
        return TestTokens.token(JWT_SECRET, tenantId, "audit", Instant.now().plus(Duration.ofMinutes(10)));
    }

    private static List<String> keys(JsonNode table) {
        List<String> keys = new ArrayList<>();
        table.get("differingKeys").forEach(key -> keys.add(key.asString()));
        return keys;
    }

    private static Map<String, JsonNode> tables(JsonNode verification) {
        Map<String, JsonNode> byName = new HashMap<>();
        verification.get("tables").forEach(table -> byName.put(table.get("table").asString(), table));
        return byName;
    }
}
