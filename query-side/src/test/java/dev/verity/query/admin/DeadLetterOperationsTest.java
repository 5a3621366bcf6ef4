package dev.verity.query.admin;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import dev.verity.events.task.TaskType;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.EventStreams;
import dev.verity.query.ProbeProjection;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters as operations scoped like data: a tenant's admin reaches only its own tenant's
 * letters, an operator every tenant's; bulk retry and discard by projection, cause and tenant;
 * causes that keep no payload; and a full queue that shows in the projection's status.
 */
class DeadLetterOperationsTest extends AdminApiTest {

    private static final String PROBE = "/api/v1/admin/dead-letters?projection=" + ProbeProjection.NAME;

    private final UUID project = UUID.randomUUID();
    private final UUID otherTenant = UUID.randomUUID();
    private final List<UUID> tasks = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        ProbeProjection.reset();
        tasks.forEach(id -> owner.update("DELETE FROM event_store.dead_letter_entry WHERE sequence_identifier = ?",
                                         id.toString()));
    }

    @Test
    void anotherTenantsLetter_isInvisibleToAnAdmin_as404AsAnUnknownOne_butAnOperatorReachesIt() {
        UUID theirs = parkedTask(otherTenant);
        String letter = id(awaitParked(theirs, 1).get(0));

        assertThat(sequences(api().get(PROBE + "&limit=1000", admin()))).doesNotContain(theirs.toString());
        assertThat(sequences(api().get(PROBE + "&limit=1000&tenantId=" + otherTenant, admin()))).isEmpty();
        assertProblem(api().post("/api/v1/admin/dead-letters/" + letter + "/retry", admin()), 404, "not_found");
        assertProblem(api().delete("/api/v1/admin/dead-letters/" + letter, admin()), 404, "not_found");
        assertThat(api().post("/api/v1/admin/dead-letters/retry?tenantId=" + otherTenant, admin()).body()
                        .get("sequences").asInt()).isZero();
        assertThat(api().delete(PROBE + "&tenantId=" + otherTenant, admin()).body().get("discarded").asInt()).isZero();
        assertThat(status(ProbeProjection.NAME, admin()).get("deadLetters").asLong())
                .as("only its own tenant's are counted").isZero();
        assertThat(status(ProbeProjection.NAME, adminOf(otherTenant)).get("deadLetters").asLong()).isPositive();

        assertThat(parked(theirs)).as("the other tenant's letter survived").hasSize(1);
        assertThat(sequences(api().get(PROBE + "&limit=1000", adminOf(otherTenant)))).contains(theirs.toString());
        assertThat(sequences(api().get(PROBE + "&limit=1000&tenantId=" + otherTenant, operator())))
                .containsExactly(theirs.toString());
        assertThat(api().delete("/api/v1/admin/dead-letters/" + letter, operator()).status()).isEqualTo(204);
        assertThat(parked(theirs)).isEmpty();
    }

    @Test
    void bulkRetry_byProjection_retriesEveryParkedRecordOfTheCallersTenant() {
        UUID first = parkedTask(tenant);
        UUID second = parkedTask(tenant);
        UUID theirs = parkedTask(otherTenant);
        awaitParked(first, 1);
        awaitParked(second, 1);
        awaitParked(theirs, 1);
        ProbeProjection.heal(first);
        ProbeProjection.heal(second);
        ProbeProjection.heal(theirs);

        Response retried = api().post("/api/v1/admin/dead-letters/retry?projection=" + ProbeProjection.NAME, admin());

        assertThat(retried.status()).as("%s", retried.body()).isEqualTo(200);
        assertThat(retried.body().get("sequences").asInt()).isEqualTo(2);
        assertThat(retried.body().get("processed").asInt()).isEqualTo(2);
        assertThat(retried.body().get("failed").asInt()).isZero();
        assertThat(parked(first)).isEmpty();
        assertThat(parked(second)).isEmpty();
        assertThat(probeRows(first) + probeRows(second)).isEqualTo(2);
        assertThat(parked(theirs)).as("another tenant's stays parked").hasSize(1);
    }

    @Test
    void bulkRetryAndDiscard_byCause_takeOnlyTheRecordsThatFailedWithThatClass() {
        UUID faulty = parkedTask(tenant);
        UUID invalid = task();
        ProbeProjection.failInDatabaseOn(invalid);
        eventStreams.append(tenant, titled(invalid, tenant, "x"));
        String sqlCause = awaitParked(invalid, 1).get(0).get("cause").get("type").asString();
        awaitParked(faulty, 1);

        Response retried = api().post("/api/v1/admin/dead-letters/retry?cause=IllegalStateException", admin());

        assertThat(retried.body().get("sequences").asInt()).as("%s", retried.body()).isEqualTo(1);
        assertThat(retried.body().get("failed").asInt()).isEqualTo(1);
        assertThat(retried.body().get("stillParked").asInt()).isEqualTo(1);
        Response discarded = api().delete("/api/v1/admin/dead-letters?cause=" + sqlCause, admin());
        assertThat(discarded.status()).as("%s", discarded.body()).isEqualTo(200);
        assertThat(parked(invalid)).isEmpty();
        assertThat(parked(faulty)).hasSize(1);
        assertThat(api().delete("/api/v1/admin/dead-letters?cause=java.lang.IllegalStateException", admin()).body()
                        .get("discarded").asInt()).isEqualTo(1);
        assertThat(parked(faulty)).isEmpty();
    }

    @Test
    void bulkDiscardAndRetry_byTenant_areAnOperatorsPlatformWideTools() {
        UUID mine = parkedTask(tenant);
        UUID theirs = parkedTask(otherTenant);
        awaitParked(mine, 1);
        awaitParked(theirs, 1);

        Response discarded = api().delete("/api/v1/admin/dead-letters?tenantId=" + otherTenant, operator());

        assertThat(discarded.status()).as("%s", discarded.body()).isEqualTo(200);
        assertThat(discarded.body().get("discarded").asInt()).isEqualTo(1);
        assertThat(parked(theirs)).isEmpty();
        assertThat(parked(mine)).hasSize(1);
        ProbeProjection.heal(mine);
        Response retried = api().post("/api/v1/admin/dead-letters/retry?tenantId=" + tenant, operator());
        assertThat(retried.body().get("processed").asInt()).as("%s", retried.body()).isEqualTo(1);
        assertThat(parked(mine)).isEmpty();
        assertThat(probeRows(mine)).isOne();
    }

    @Test
    void bulkDiscard_withoutAnyFilter_is400_andBadFiltersAre400Or404() {
        assertProblem(api().delete("/api/v1/admin/dead-letters", operator()), 400, "validation_failed");
        assertProblem(api().delete("/api/v1/admin/dead-letters?tenantId=acme", operator()), 400, "validation_failed");
        assertProblem(api().post("/api/v1/admin/dead-letters/retry?cause=a%20b", admin()), 400, "validation_failed");
        assertProblem(api().post("/api/v1/admin/dead-letters/retry?projection=nope", admin()), 404, "not_found");
        assertProblem(api().delete("/api/v1/admin/dead-letters?projection=probe", reader()), 403, "forbidden");
    }

    @Test
    void aParkedCause_namesClassAndSqlState_butNoPayload() {
        UUID invalid = task();
        String marker = "payload-marker-" + UUID.randomUUID();
        ProbeProjection.failInDatabaseOn(invalid);
        eventStreams.append(tenant, titled(invalid, tenant, marker));

        JsonNode cause = awaitParked(invalid, 1).get(0).get("cause");

        assertThat(cause.get("type").asString()).startsWith("org.springframework.");
        assertThat(cause.get("message").asString()).contains("SQLState 22P02", "invalid text representation")
                .doesNotContain(marker, invalid.toString(), tenant.toString(), "invalid input syntax");
        assertThat(owner.queryForList("SELECT cause_message FROM event_store.dead_letter_entry"
                                      + " WHERE sequence_identifier = ?", String.class, invalid.toString()))
                .as("what is stored").isNotEmpty()
                .allSatisfy(stored -> assertThat(stored).doesNotContain(marker, invalid.toString()));
    }

    @Test
    void aFullQueue_showsInTheStatusWithItsError_andRecoversOnceLettersAreDiscarded() {
        int room = PROBE_DEAD_LETTER_CAP - owner.queryForObject(
                "SELECT count(DISTINCT sequence_identifier) FROM event_store.dead_letter_entry"
                + " WHERE processing_group = ?", Integer.class, ProbeProjection.NAME);
        List<UUID> filling = new ArrayList<>();
        for (int i = 0; i < room; i++) {
            filling.add(parkedTask(tenant));
        }
        filling.forEach(id -> awaitParked(id, 1));
        UUID overflowing = parkedTask(tenant);

        JsonNode full = status(ProbeProjection.NAME);
        assertThat(full.get("state").asString()).isEqualTo("failing");
        assertThat(full.get("error").asString()).contains("DeadLetterQueueOverflowException",
                                                          "verity.projections.dead-letters.max-sequences",
                                                          String.valueOf(PROBE_DEAD_LETTER_CAP));
        assertThat(adminOfOtherTenantSees(ProbeProjection.NAME).get("error").asString())
                .as("every tenant's admin sees that processing is stuck").contains("DeadLetterQueueOverflowException")
                .doesNotContain(overflowing.toString());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
               .until(() -> parked(overflowing).isEmpty());

        Response discarded = api().delete(PROBE + "&tenantId=" + tenant, admin());

        assertThat(discarded.body().get("discarded").asInt()).isEqualTo(room);
        awaitParked(overflowing, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(ProbeProjection.NAME).get("error").isNull());
    }

    private JsonNode adminOfOtherTenantSees(String projection) {
        Response response = api().get("/api/v1/admin/projections/" + projection, adminOf(otherTenant));
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    private String adminOf(UUID tenantId) {
        return TestTokens.token(JWT_SECRET, tenantId, "admin", Instant.now().plus(Duration.ofMinutes(10)));
    }

    /** A task of {@code tenantId} whose creation the probe projection fails on. */
    private UUID parkedTask(UUID tenantId) {
        UUID id = task();
        ProbeProjection.failOn(id);
        eventStreams.append(tenantId, TaskEvents.created(id, tenantId, project));
        return id;
    }

    private TaskCreated titled(UUID taskId, UUID tenantId, String title) {
        return new TaskCreated(taskId, tenantId, project, TaskType.REVIEW, title, null, TaskPriority.LOW,
                               AssigneeType.USER, "bob", null, null, null, List.of(), List.of(), Map.of(),
                               EventStreams.ACTOR_ID, TaskStatus.PENDING);
    }

    private UUID task() {
        UUID id = UuidV7.generate();
        tasks.add(id);
        return id;
    }

    private List<JsonNode> awaitParked(UUID taskId, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
               .until(() -> parked(taskId).size() == count);
        return parked(taskId);
    }

    /** The task's probe letters as an operator lists them, oldest first. */
    private List<JsonNode> parked(UUID taskId) {
        Response response = api().get(PROBE + "&limit=1000", operator());
        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> letters = new ArrayList<>();
        response.body().get("items").forEach(item -> {
            if (item.get("sequence").asString().equals(taskId.toString())) {
                letters.add(item);
            }
        });
        return letters;
    }

    private static List<String> sequences(Response response) {
        assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
        List<String> sequences = new ArrayList<>();
        response.body().get("items").forEach(item -> sequences.add(item.get("sequence").asString()));
        return sequences;
    }

    private long probeRows(UUID taskId) {
        return owner.queryForObject("SELECT count(*) FROM read_model.probe_tasks WHERE id = ?", Long.class, taskId);
    }

    private static String id(JsonNode letter) {
        return letter.get("id").asString();
    }
}
