package dev.verity.query.budget.query;

import dev.verity.events.budget.BudgetEvent.BudgetChanged;
import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.events.budget.BudgetIds;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.common.UuidV7;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetState;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.TestTokens;
import dev.verity.query.execution.ExecutionStreams;
import dev.verity.query.kit.KitExecutionEvents;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/projects/{projectId}/budget}: the limits plus the project's usage, per tenant. */
class BudgetQueryControllerTest extends ExecutionStreams {

    @Autowired
    private EventStorageEngine storageEngine;

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID budgetId = BudgetIds.of(tenant, project);

    private String path() {
        return "/api/v1/projects/" + project + "/budget";
    }

    private void usage(UUID tenantId, UUID projectId, long tokens, String cost) {
        UUID id = UuidV7.generate();
        awaitExecutionVersion(id, append(tenantId, created(id, tenantId, projectId), new ExecutionStarted(id),
                                         new UsageRecorded(id, tokens, new BigDecimal(cost), null, tokens,
                                                           new BigDecimal(cost), BudgetState.OK)));
    }

    @Test
    void budget_answersTheSeedDefaults_unconfigured_whenTheProjectHasNone() {
        Response response = api().get(path(), TestTokens.read(tenant));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isNull();
        assertThat(response.body().get("configured").asBoolean()).isFalse();
        assertThat(response.body().get("maxTokens").asInt()).isEqualTo(100_000);
        assertThat(response.body().get("maxCostUsd").decimalValue()).isEqualByComparingTo("5");
        assertThat(response.body().get("onLimitReached").asString()).isEqualTo("pause");
        assertThat(response.body().get("usage").get("tokensUsed").asLong()).isZero();
    }

    @Test
    void budget_answersTheLimitsAndTheUsageSummedOverTheProjectsExecutions_ofThisTenantOnly() {
        awaitBudgetVersion(budgetId, append(tenant,
                new BudgetCreated(budgetId, tenant, project, 100_000, new BigDecimal("5.00"), new BigDecimal("0.80"),
                                  OnLimitReached.PAUSE),
                new BudgetChanged(budgetId, tenant, project, 9000, new BigDecimal("2.5000"), new BigDecimal("0.90"),
                                  OnLimitReached.FAIL)));
        usage(tenant, project, 100, "0.1234");
        usage(tenant, project, 50, "0.0001");
        usage(tenant, UUID.randomUUID(), 7, "1");
        usage(UUID.randomUUID(), project, 1000, "3");

        Response response = api().get(path(), TestTokens.read(tenant));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"1\"");
        assertThat(response.body().get("id").asString()).isEqualTo(budgetId.toString());
        assertThat(response.body().get("configured").asBoolean()).isTrue();
        assertThat(response.body().get("maxTokens").asInt()).isEqualTo(9000);
        assertThat(response.body().get("maxCostUsd").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(response.body().get("warningThreshold").decimalValue()).isEqualByComparingTo("0.9");
        assertThat(response.body().get("onLimitReached").asString()).isEqualTo("fail");
        assertThat(response.body().get("usage").get("tokensUsed").asLong()).isEqualTo(150);
        assertThat(response.body().get("usage").get("costIncurred").decimalValue()).isEqualByComparingTo("0.1235");
        assertThat(response.body().get("usage").get("executions").asLong()).isEqualTo(2);
    }

    @Test
    void budget_usage_countsTheProjectsKitExecutions_tokensOfTheirOutputs_andTheirEstimatedCost() {
        usage(tenant, project, 100, "0.1000");
        KitExecutionEvents kits = new KitExecutionEvents(storageEngine);
        UUID kit = UuidV7.generate();
        long version = kits.append(tenant, KitExecutionEvents.created(kit, tenant, project), new KitExecutionStarted(kit),
                                   KitExecutionEvents.output(kit, UuidV7.generate(), "hero", KitOutputStatus.VALID, 30, 12),
                                   new KitExecutionCompleted(kit, KitExecutionStatus.COMPLETED, new BigDecimal("0.012345"),
                                                             null, null));
        await().atMost(Duration.ofSeconds(15)).until(() -> owner.queryForList(
                "SELECT version FROM read_model.kit_executions WHERE id = ?", Long.class, kit).contains(version));

        Response response = api().get(path(), TestTokens.read(tenant));

        assertThat(response.body().get("usage").get("tokensUsed").asLong()).isEqualTo(142);
        assertThat(response.body().get("usage").get("costIncurred").decimalValue()).isEqualByComparingTo("0.112345");
        assertThat(response.body().get("usage").get("executions").asLong()).isEqualTo(2);
    }

    @Test
    void budget_ofTheSameProjectForAnotherTenant_isTheirOwn() {
        awaitBudgetVersion(budgetId, append(tenant, new BudgetCreated(budgetId, tenant, project, 1, BigDecimal.ONE,
                                                                      BigDecimal.ONE, OnLimitReached.WARN)));

        Response theirs = api().get(path(), TestTokens.read(UUID.randomUUID()));

        assertThat(theirs.body().get("configured").asBoolean()).isFalse();
        assertThat(theirs.body().get("id").asString()).isNotEqualTo(budgetId.toString());
    }

    @Test
    void budget_withMinVersion_waitsUntilTheBudgetIsSet() {
        CompletableFuture<Response> waiting = api().getAsync(path() + "?minVersion=0", TestTokens.read(tenant));
        append(tenant, new BudgetCreated(budgetId, tenant, project, 77, BigDecimal.ONE, BigDecimal.ONE,
                                         OnLimitReached.WARN));

        assertThat(waiting.join().body().get("maxTokens").asInt()).isEqualTo(77);
    }

    @Test
    void budget_returns400_forAProjectIdThatIsNotAUuid() {
        assertProblem(api().get("/api/v1/projects/nope/budget", TestTokens.read(tenant)), 400, "validation_failed");
    }
}
