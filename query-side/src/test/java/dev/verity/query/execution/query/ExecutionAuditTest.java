package dev.verity.query.execution.query;

import dev.verity.events.budget.BudgetEvent.BudgetCreated;
import dev.verity.events.budget.BudgetIds;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.common.UuidV7;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointCreated;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointExpired;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetState;
import dev.verity.events.execution.CheckpointState;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.TestTokens;
import dev.verity.query.execution.ExecutionStreams;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit for free: history, as-of, the event log and tenant verification cover executions and budgets by registration. */
class ExecutionAuditTest extends ExecutionStreams {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();

    @Test
    void asOf_betweenTwoUsageReports_showsTheTotalsOfThatMoment() {
        UUID id = UuidV7.generate();
        awaitExecutionVersion(id, append(tenant, created(id, tenant, project), new ExecutionStarted(id),
                                         new UsageRecorded(id, 100, new BigDecimal("0.2500"), null, 100,
                                                           new BigDecimal("0.2500"), BudgetState.OK)));
        Instant between = Instant.now();
        sleep();
        awaitExecutionVersion(id, append(tenant, new UsageRecorded(id, 750, new BigDecimal("1.0000"), null, 850,
                                                                   new BigDecimal("1.2500"), BudgetState.WARNING)));

        Response asOf = api().get("/api/v1/audit/executions/" + id + "/as-of?at=" + between, auditToken(tenant));
        Response byVersion = api().get("/api/v1/audit/executions/" + id + "/as-of?version=2", auditToken(tenant));
        Response now = api().get("/api/v1/executions/" + id, TestTokens.read(tenant));

        assertThat(asOf.status()).as("%s", asOf.body()).isEqualTo(200);
        assertThat(asOf.body().get("tokensUsed").asLong()).isEqualTo(100);
        assertThat(asOf.body().get("costIncurred").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(asOf.body().get("budgetState").asString()).isEqualTo("ok");
        assertThat(byVersion.body()).isEqualTo(asOf.body());
        assertThat(now.body().get("tokensUsed").asLong()).isEqualTo(850);
    }

    @Test
    void history_keepsAnExpiredCheckpoint_andAsOfShowsItWhileItWasLive() {
        UUID id = UuidV7.generate();
        UUID checkpoint = UuidV7.generate();
        CheckpointState state = new CheckpointState(List.of(), List.of(), Map.of(), Map.of(), 0, BigDecimal.ZERO);
        awaitExecutionVersion(id, append(tenant, created(id, tenant, project), new ExecutionStarted(id),
                                         new CheckpointCreated(id, checkpoint, 0, "first", state,
                                                               Instant.parse("2030-01-01T00:00:00Z")),
                                         new CheckpointExpired(id, checkpoint)));

        Response history = api().get("/api/v1/audit/executions/" + id + "/history", auditToken(tenant));
        Response whileLive = api().get("/api/v1/audit/executions/" + id + "/as-of?version=2", auditToken(tenant));

        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body().toString()).contains("CheckpointCreated", "CheckpointExpired", checkpoint.toString());
        assertThat(whileLive.body().get("checkpoints")).hasSize(1);
        assertThat(api().get("/api/v1/executions/" + id, TestTokens.read(tenant)).body().get("checkpoints")).isEmpty();
    }

    @Test
    void budgets_haveHistoryAndAsOf_andTheEventLogAndTenantVerificationCoverBoth() {
        UUID budgetId = BudgetIds.of(tenant, project);
        UUID id = UuidV7.generate();
        awaitBudgetVersion(budgetId, append(tenant, new BudgetCreated(budgetId, tenant, project, 5, BigDecimal.ONE,
                                                                      new BigDecimal("0.80"), OnLimitReached.WARN)));
        awaitExecutionVersion(id, append(tenant, created(id, tenant, project)));
        awaitEventLog(id, 1);
        awaitEventLog(budgetId, 1);

        Response asOf = api().get("/api/v1/audit/budgets/" + budgetId + "/as-of?version=0", auditToken(tenant));
        Response events = api().get("/api/v1/audit/events?aggregateType=Budget", auditToken(tenant));
        Response verify = api().post("/api/v1/audit/verify", auditToken(tenant));

        assertThat(asOf.status()).as("%s", asOf.body()).isEqualTo(200);
        assertThat(asOf.body().get("maxTokens").asInt()).isEqualTo(5);
        assertThat(events.body().get("items")).hasSize(1);
        assertThat(verify.status()).as("%s", verify.body()).isEqualTo(200);
        assertThat(verify.body().get("ok").asBoolean()).as("%s", verify.body()).isTrue();
        assertThat(verify.body().toString()).contains("agent_executor_state", "checkpoint_snapshots", "budget_limits");
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
