package dev.verity.query.kit.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.kit.KitExecutionEvent;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.TestTokens;
import dev.verity.query.audit.AuditTest;
import dev.verity.query.kit.KitExecutionEvents;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.verity.query.kit.KitExecutionEvents.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Audit comes with the registration alone (an {@link dev.verity.query.audit.AuditedAggregate} and a
 * {@link dev.verity.query.platform.projection.ProjectionDefinition}): history, as-of, the event log,
 * verification, rebuild and the ledger cover kit executions without a line of their own. One run
 * is recorded event by event and its live {@code GET} captured after each, as the as-of answers
 * must reproduce it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KitExecutionAuditTest extends AuditTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID executionId = UuidV7.generate();
    private final String token = auditToken(tenant);
    /** What the live API returned at each version, indexed by version. */
    private final List<JsonNode> live = new ArrayList<>();

    @Autowired
    private EventStorageEngine storageEngine;

    @BeforeAll
    void aRunWithTwoOutputs_capturedLiveAtEveryVersion() {
        KitExecutionEvents events = new KitExecutionEvents(storageEngine);
        List<KitExecutionEvent> history = List.of(
                KitExecutionEvents.created(executionId, tenant, project),
                new KitExecutionStarted(executionId),
                output(executionId, UuidV7.generate(), "hero", KitOutputStatus.VALID, 100, 10),
                output(executionId, UuidV7.generate(), "pricing", KitOutputStatus.FAILED, 50, 5),
                new KitExecutionCompleted(executionId, KitExecutionStatus.PARTIAL, new BigDecimal("0.250000"),
                                          "s3://bucket/bundle.zip", 4096));
        for (KitExecutionEvent event : history) {
            long version = events.append(tenant, event);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> owner.queryForList(
                    "SELECT version FROM read_model.kit_executions WHERE id = ?", Long.class, executionId)
                    .stream().anyMatch(v -> v >= version));
            Response response = api().get("/api/v1/kit-executions/" + executionId, TestTokens.read(tenant));
            assertThat(response.status()).isEqualTo(200);
            live.add(response.body());
        }
        awaitEventLog(executionId, history.size());
    }

    @Test
    void asOf_betweenTheTwoOutputs_showsTheCountsAndTokensOfThatMoment() {
        Instant secondOutput = eventTimes().get(3);

        JsonNode between = asOf("at=" + secondOutput.minusMillis(1)).body();

        assertThat(between).isEqualTo(live.get(2));
        assertThat(between.get("status").asString()).isEqualTo("running");
        assertThat(between.get("outputCount").asInt()).isEqualTo(1);
        assertThat(between.get("outputsFailed").asInt()).isZero();
        assertThat(between.get("tokenUsageTotal").asInt()).isEqualTo(110);
        assertThat(between.get("outputs")).hasSize(1);
        JsonNode after = asOf("at=" + secondOutput).body();
        assertThat(after.get("outputCount").asInt()).isEqualTo(2);
        assertThat(after.get("tokenUsageTotal").asInt()).isEqualTo(165);
    }

    @Test
    void asOf_returnsTheExecutionAsItStood_atEveryVersion() {
        for (int version = 0; version < live.size(); version++) {
            Response response = asOf("version=" + version);

            assertThat(response.status()).as("version %d", version).isEqualTo(200);
            assertThat(response.body()).as("version %d", version).isEqualTo(live.get(version));
        }
        assertThat(live.get(4).get("status").asString()).isEqualTo("partial");
        assertThat(live.get(4).get("estimatedCostUsd").decimalValue()).isEqualByComparingTo("0.25");
    }

    @Test
    void asOf_returns404_beforeItExisted_andForAnotherTenant() {
        assertProblem(asOf("at=" + eventTimes().get(0).minusMillis(1)), 404, "not_found");
        assertProblem(api().get("/api/v1/audit/kit-executions/" + executionId + "/as-of?version=0",
                                auditToken(UUID.randomUUID())), 404, "not_found");
    }

    @Test
    void history_listsTheStoredEventsInOrder_underEitherName() {
        for (String name : List.of("kit-executions", "kit-execution")) {
            Response response = api().get("/api/v1/audit/" + name + "/" + executionId + "/history", token);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("aggregateType").asString()).isEqualTo("KitExecution");
            assertThat(texts(response.body().get("items"), "type")).containsExactly(
                    "KitExecutionCreated", "KitExecutionStarted", "KitOutputRecorded", "KitOutputRecorded",
                    "KitExecutionCompleted");
            assertThat(response.body().get("items").get(4).get("payload").get("estimatedCostUsd").decimalValue())
                    .isEqualByComparingTo("0.25");
        }
        assertProblem(api().get("/api/v1/audit/kit-executions/" + executionId + "/history",
                                auditToken(UUID.randomUUID())), 404, "not_found");
    }

    @Test
    void eventLog_holdsEveryEvent_withTheExecutionsProject() {
        Response response = api().get("/api/v1/audit/events?aggregateType=KitExecution&aggregateId=" + executionId,
                                      token);

        assertThat(response.status()).isEqualTo(200);
        JsonNode items = response.body().get("items");
        assertThat(texts(items, "eventType")).containsExactly("KitExecutionCreated", "KitExecutionStarted",
                                                              "KitOutputRecorded", "KitOutputRecorded",
                                                              "KitExecutionCompleted");
        assertThat(texts(items, "projectId")).containsOnly(project.toString());
        assertThat(texts(items, "actorId")).containsOnly("alice");
    }

    @Test
    void tenantVerify_comparesTheKitTables_andFindsATamperedOutput() {
        Response clean = api().post("/api/v1/audit/verify", token);
        assertThat(clean.status()).as("%s", clean.body()).isEqualTo(200);
        Map<String, JsonNode> tables = tables(clean.body());
        assertThat(tables.get("kit_executions").get("ok").asBoolean()).as("%s", tables).isTrue();
        assertThat(tables.get("kit_executions").get("liveRows").asLong()).isOne();
        assertThat(tables.get("kit_execution_outputs").get("ok").asBoolean()).isTrue();
        assertThat(tables.get("kit_execution_outputs").get("liveRows").asLong()).isEqualTo(2);

        owner.update("UPDATE read_model.kit_execution_outputs SET token_usage_prompt = 0"
                     + " WHERE execution_id = ? AND output_id = 'hero'", executionId);
        try {
            JsonNode outputs = tables(api().post("/api/v1/audit/verify", token).body()).get("kit_execution_outputs");

            assertThat(outputs.get("ok").asBoolean()).isFalse();
            assertThat(outputs.get("changedRows").asLong()).isOne();
        } finally {
            owner.update("UPDATE read_model.kit_execution_outputs SET token_usage_prompt = 100"
                         + " WHERE execution_id = ? AND output_id = 'hero'", executionId);
        }
    }

    @Test
    void ledger_chainsTheKitEvents_andVerifies() {
        List<Long> positions = owner.queryForList("SELECT global_index FROM event_store.domain_event_entry"
                                                  + " WHERE aggregate_identifier = ?", Long.class,
                                                  executionId.toString());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM event_store.ledger WHERE global_index IN (" + String.join(",",
                        positions.stream().map(String::valueOf).toList()) + ")", Long.class) == positions.size());

        Response verified = api().post("/api/v1/audit/ledger/verify", token, null);

        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.body().get("ok").asBoolean()).as("%s", verified.body()).isTrue();
    }

    @Test
    void rebuild_ofTheKitProjection_reproducesTheLiveRows() {
        String operator = TestTokens.token(JWT_SECRET, tenant, "operator", Instant.now().plusSeconds(600));
        Response listed = api().get("/api/v1/admin/projections/kit-executions", operator);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(texts(listed.body().get("tables"))).containsExactly("kit_executions", "kit_execution_outputs");

        Response accepted = api().post("/api/v1/admin/projections/kit-executions/rebuild", operator);
        assertThat(accepted.status()).as("%s", accepted.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode rebuild = api().get("/api/v1/admin/projections/kit-executions", operator).body().path("rebuild");
            return !rebuild.isMissingNode() && !rebuild.isNull()
                   && !List.of("replaying", "swapping").contains(rebuild.path("state").asString());
        });

        assertThat(api().get("/api/v1/admin/projections/kit-executions", operator).body().path("rebuild")
                        .path("state").asString()).isEqualTo("done");
        assertThat(api().get("/api/v1/kit-executions/" + executionId, TestTokens.read(tenant)).body())
                .isEqualTo(live.get(live.size() - 1));
    }

    private Response asOf(String query) {
        return api().get("/api/v1/audit/kit-executions/" + executionId + "/as-of?" + query, token);
    }

    private List<Instant> eventTimes() {
        return owner.queryForList("SELECT time_stamp FROM event_store.domain_event_entry"
                                  + " WHERE aggregate_identifier = ? ORDER BY sequence_number",
                                  String.class, executionId.toString())
                    .stream().map(Instant::parse).toList();
    }

    private static List<String> texts(JsonNode items, String field) {
        List<String> values = new ArrayList<>();
        items.forEach(item -> values.add(item.get(field).asString()));
        return values;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(item -> values.add(item.asString()));
        return values;
    }

    private static Map<String, JsonNode> tables(JsonNode verification) {
        Map<String, JsonNode> byName = new HashMap<>();
        verification.get("tables").forEach(table -> byName.put(table.get("table").asString(), table));
        return byName;
    }
}
