package dev.verity.query.kit.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionFailed;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import dev.verity.query.kit.KitExecutionEvents;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.verity.query.kit.KitExecutionEvents.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KitExecutionQueryControllerTest extends QuerySideTest {

    private static final String API = "/api/v1/kit-executions";

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID executionId = UuidV7.generate();
    private final String token = TestTokens.read(tenant);

    @Autowired
    private EventStorageEngine storageEngine;

    private KitExecutionEvents events;

    @BeforeEach
    void events() {
        events = new KitExecutionEvents(storageEngine);
    }

    @Test
    void getKitExecution_returnsTheRowWithItsOutputsInOrder_andTheVersionAsETag() {
        UUID hero = UuidV7.generate();
        UUID broken = UuidV7.generate();
        awaitVersion(executionId, events.append(tenant,
                KitExecutionEvents.created(executionId, tenant, project),
                new KitExecutionStarted(executionId),
                output(executionId, hero, "hero", KitOutputStatus.VALID, 1200, 300),
                output(executionId, broken, "pricing", KitOutputStatus.FAILED, 50, 7),
                new KitExecutionCompleted(executionId, KitExecutionStatus.PARTIAL, new BigDecimal("0.012300"),
                                          "s3://bucket/bundle.zip", 4096)));

        Response response = api().get(API + "/" + executionId, token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"4\"");
        JsonNode execution = response.body();
        assertThat(execution.get("id").asString()).isEqualTo(executionId.toString());
        assertThat(execution.get("tenantId").asString()).isEqualTo(tenant.toString());
        assertThat(execution.get("projectId").asString()).isEqualTo(project.toString());
        assertThat(execution.get("userId").asString()).isEqualTo("alice");
        assertThat(execution.get("kitDefinitionId").isNull()).isTrue();
        assertThat(execution.get("kitId").asString()).isEqualTo("landing-page");
        assertThat(execution.get("kitVersion").asString()).isEqualTo("1.2.0");
        assertThat(execution.get("status").asString()).isEqualTo("partial");
        assertThat(execution.get("startedAt").asString()).endsWith("Z");
        assertThat(execution.get("completedAt").asString()).endsWith("Z");
        assertThat(execution.get("executionTimeMs").isInt()).isTrue();
        assertThat(execution.get("inputSnapshot").get("pages").asInt()).isEqualTo(3);
        assertThat(execution.get("outputCount").asInt()).isEqualTo(2);
        assertThat(execution.get("outputsValid").asInt()).isEqualTo(1);
        assertThat(execution.get("outputsWarnings").asInt()).isZero();
        assertThat(execution.get("outputsFailed").asInt()).isEqualTo(1);
        assertThat(execution.get("tokenUsagePrompt").asInt()).isEqualTo(1250);
        assertThat(execution.get("tokenUsageCompletion").asInt()).isEqualTo(307);
        assertThat(execution.get("tokenUsageTotal").asInt()).isEqualTo(1557);
        assertThat(execution.get("estimatedCostUsd").isNumber()).isTrue();
        assertThat(execution.get("estimatedCostUsd").decimalValue()).isEqualByComparingTo("0.0123");
        assertThat(execution.get("bundlePath").asString()).isEqualTo("s3://bucket/bundle.zip");
        assertThat(execution.get("bundleSizeBytes").asInt()).isEqualTo(4096);
        assertThat(execution.get("errorMessage").isNull()).isTrue();
        assertThat(execution.get("errorDetails").isNull()).isTrue();
        assertThat(execution.get("workflowRunId").asString()).isEqualTo("wf-1");
        assertThat(execution.get("inngestRunId").asString()).isEqualTo("inngest-1");
        assertThat(execution.get("createdAt").asString()).endsWith("Z");
        assertThat(execution.get("version").asLong()).isEqualTo(4);
        assertThat(ids(execution.get("outputs"))).containsExactly(hero.toString(), broken.toString());
        JsonNode first = execution.get("outputs").get(0);
        assertThat(first.get("outputId").asString()).isEqualTo("hero");
        assertThat(first.get("filename").asString()).isEqualTo("hero.html");
        assertThat(first.get("outputType").asString()).isEqualTo("html");
        assertThat(first.get("status").asString()).isEqualTo("valid");
        assertThat(first.get("validationErrors").asInt()).isEqualTo(1);
        assertThat(first.get("validationWarnings").asInt()).isEqualTo(2);
        assertThat(first.get("validationAutoFixed").asInt()).isEqualTo(3);
        assertThat(first.get("repairAttempts").asInt()).isEqualTo(1);
        assertThat(first.get("validationDetails").get("rules").asInt()).isEqualTo(12);
        assertThat(first.get("contentPath").asString()).isEqualTo("s3://bucket/hero");
        assertThat(first.get("contentSizeBytes").asInt()).isEqualTo(2048);
        assertThat(first.get("contentHash").asString()).isEqualTo(KitExecutionEvents.HASH);
        assertThat(first.get("tokenUsagePrompt").asInt()).isEqualTo(1200);
        assertThat(first.get("tokenUsageCompletion").asInt()).isEqualTo(300);
        assertThat(first.get("createdAt").asString()).endsWith("Z");
    }

    @Test
    void getKitExecution_returnsAFailedRunsError() {
        awaitVersion(executionId, events.append(tenant, KitExecutionEvents.created(executionId, tenant, project),
                                                new KitExecutionFailed(executionId, "no capacity", "queue", null)));

        JsonNode execution = api().get(API + "/" + executionId, token).body();

        assertThat(execution.get("status").asString()).isEqualTo("failed");
        assertThat(execution.get("errorMessage").asString()).isEqualTo("no capacity");
        assertThat(execution.get("errorStep").asString()).isEqualTo("queue");
        assertThat(execution.get("startedAt").isNull()).isTrue();
        assertThat(execution.get("executionTimeMs").isNull()).isTrue();
        assertThat(execution.get("outputs").size()).isZero();
    }

    @Test
    void getKitExecution_returns404_forAnUnknownExecution() {
        assertProblem(api().get(API + "/" + UuidV7.generate(), token), 404, "not_found");
    }

    @Test
    void getKitExecution_returns404_forAnotherTenantsExecution() {
        awaitVersion(executionId, events.append(tenant, KitExecutionEvents.created(executionId, tenant, project)));

        assertProblem(api().get(API + "/" + executionId, TestTokens.read(UUID.randomUUID())), 404, "not_found");
    }

    @Test
    void getKitExecution_returns400_forAnIdThatIsNotAUuid() {
        Response response = api().get(API + "/not-a-uuid", token);

        assertProblem(response, 400, "validation_failed");
        assertThat(response.body().get("errors").get(0).get("field").asString()).isEqualTo("id");
    }

    @Test
    void getKitExecution_returns401_withoutToken_and403_withoutReadScope() {
        assertProblem(api().get(API + "/" + executionId, null), 401, "unauthorized");
        assertProblem(api().get(API + "/" + executionId, TestTokens.token(JWT_SECRET, tenant, "write",
                                                                          java.time.Instant.now().plusSeconds(600))),
                      403, "forbidden");
    }

    @Test
    void getKitExecution_withMinVersion_waitsForAnEventAppendedAfterTheRequestStarted() throws Exception {
        awaitVersion(executionId, events.append(tenant, KitExecutionEvents.created(executionId, tenant, project)));

        CompletableFuture<Response> pending = api().getAsync(API + "/" + executionId + "?minVersion=1", token);
        assertThatThrownBy(() -> pending.get(300, TimeUnit.MILLISECONDS))
                .as("the read waits while the execution is at version 0")
                .isInstanceOf(TimeoutException.class);
        events.append(tenant, new KitExecutionStarted(executionId));

        Response response = pending.get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"1\"");
        assertThat(response.body().get("status").asString()).isEqualTo("running");
    }

    @Test
    void getKitExecution_returns504_whenTheReadModelNeverReachesMinVersion_orTheExecutionNeverAppears() {
        awaitVersion(executionId, events.append(tenant, KitExecutionEvents.created(executionId, tenant, project)));

        assertProblem(api().get(API + "/" + executionId + "?minVersion=3", token), 504, "stale_read_model");
        assertProblem(api().get(API + "/" + UuidV7.generate() + "?minVersion=0", token), 504, "stale_read_model");
    }

    @Test
    void getKitExecution_returns400_forANegativeMinVersion() {
        assertProblem(api().get(API + "/" + executionId + "?minVersion=-1", token), 400, "validation_failed");
    }

    @Test
    void listKitExecutions_walksEveryPageOnce_inIdOrder() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            UUID id = UuidV7.generate();
            events.append(tenant, KitExecutionEvents.created(id, tenant, project));
            created.add(id.toString());
        }
        created.forEach(id -> awaitVersion(UUID.fromString(id), 0));

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            Response page = api().get(API + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertThat(page.status()).isEqualTo(200);
            seen.addAll(ids(page.body().get("items")));
            pageSizes.add(page.body().get("items").size());
            JsonNode next = page.body().get("nextCursor");
            assertThat(next).as("nextCursor is always present").isNotNull();
            cursor = next.isNull() ? null : next.asString();
        } while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(created.stream().sorted().toList());
        assertThat(pageSizes).containsExactly(2, 2, 1);
    }

    @Test
    void listKitExecutions_filtersByProjectStatusAndKit() {
        UUID otherProject = UUID.randomUUID();
        UUID running = UuidV7.generate();
        UUID pending = UuidV7.generate();
        UUID otherKit = UuidV7.generate();
        UUID elsewhere = UuidV7.generate();
        awaitVersion(running, events.append(tenant, KitExecutionEvents.created(running, tenant, project),
                                            new KitExecutionStarted(running)));
        awaitVersion(pending, events.append(tenant, KitExecutionEvents.created(pending, tenant, project)));
        awaitVersion(otherKit, events.append(tenant, KitExecutionEvents.created(otherKit, tenant, project, "pitch-deck")));
        awaitVersion(elsewhere, events.append(tenant, KitExecutionEvents.created(elsewhere, tenant, otherProject)));

        assertThat(list("projectId=" + project)).containsExactlyInAnyOrder(ids(running, pending, otherKit));
        assertThat(list("status=running")).containsExactly(ids(running));
        assertThat(list("kitId=pitch-deck")).containsExactly(ids(otherKit));
        assertThat(list("projectId=" + project + "&status=pending&kitId=landing-page")).containsExactly(ids(pending));
        assertThat(list("projectId=" + otherProject)).containsExactly(ids(elsewhere));
    }

    @Test
    void listKitExecutions_seesOnlyTheCallersTenant() {
        awaitVersion(executionId, events.append(tenant, KitExecutionEvents.created(executionId, tenant, project)));

        Response response = api().get(API + "?projectId=" + project, TestTokens.read(UUID.randomUUID()));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("items").size()).isZero();
        assertThat(response.body().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void listKitExecutions_returns400_forBadParameters_namingEach() {
        for (String[] bad : new String[][] {{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=many", "limit"},
                                            {"cursor=c2hvcnQ", "cursor"}, {"status=done", "status"},
                                            {"projectId=nope", "projectId"}}) {
            Response response = api().get(API + "?" + bad[0], token);
            assertProblem(response, 400, "validation_failed");
            assertThat(response.body().get("errors").get(0).get("field").asString()).as(bad[0]).isEqualTo(bad[1]);
        }
    }

    /** The budget (another slice) sums these columns over a project: a plain aggregate, as the tenant sees it. */
    @Test
    void perExecutionUsage_sumsOverAProject_withAPlainAggregate() {
        UUID second = UuidV7.generate();
        awaitVersion(executionId, events.append(tenant, KitExecutionEvents.created(executionId, tenant, project),
                new KitExecutionStarted(executionId), output(executionId, UuidV7.generate(), "a", KitOutputStatus.VALID,
                                                             100, 20),
                new KitExecutionCompleted(executionId, KitExecutionStatus.COMPLETED, new BigDecimal("0.000001"), null,
                                          null)));
        awaitVersion(second, events.append(tenant, KitExecutionEvents.created(second, tenant, project),
                new KitExecutionStarted(second), output(second, UuidV7.generate(), "a", KitOutputStatus.VALID, 3, 4),
                new KitExecutionCompleted(second, KitExecutionStatus.COMPLETED, new BigDecimal("1234.567891"), null,
                                          null)));

        var sums = owner.queryForMap("SELECT sum(token_usage_total) AS tokens, sum(estimated_cost_usd) AS cost"
                                     + " FROM read_model.kit_executions WHERE tenant_id = ? AND project_id = ?",
                                     tenant, project);

        assertThat(sums.get("tokens")).isEqualTo(127L);
        assertThat((BigDecimal) sums.get("cost")).isEqualByComparingTo("1234.567892");
    }

    private void awaitVersion(UUID id, long version) {
        await().atMost(Duration.ofSeconds(15))
               .pollInterval(Duration.ofMillis(20))
               .until(() -> owner.queryForList("SELECT version FROM read_model.kit_executions WHERE id = ?", Long.class,
                                               id).stream().anyMatch(v -> v >= version));
    }

    private List<String> list(String query) {
        Response response = api().get(API + "?" + query, token);
        assertThat(response.status()).as(query).isEqualTo(200);
        return ids(response.body().get("items"));
    }

    private static String[] ids(UUID... ids) {
        return Arrays.stream(ids).map(UUID::toString).toArray(String[]::new);
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
        assertThat(response.body().get("type").asString()).isEqualTo("urn:verity:problem:" + code);
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
    }
}
