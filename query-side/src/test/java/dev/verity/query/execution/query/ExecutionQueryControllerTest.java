package dev.verity.query.execution.query;

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
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/executions[/{id}]} on the real read model, under row-level security. */
class ExecutionQueryControllerTest extends ExecutionStreams {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();

    private UUID execution(UUID projectId, boolean started) {
        UUID id = UuidV7.generate();
        long version = started ? append(tenant, created(id, tenant, projectId), new ExecutionStarted(id))
                : append(tenant, created(id, tenant, projectId));
        awaitExecutionVersion(id, version);
        return id;
    }

    @Test
    void execution_returnsItInCamelCase_withLiveCheckpointsOnly_andItsVersionAsETag() {
        UUID id = UuidV7.generate();
        UUID live = UuidV7.generate();
        UUID expired = UuidV7.generate();
        CheckpointState state = new CheckpointState(List.of("a"), List.of("b"), Map.of("k", "v"), Map.of(), 5,
                                                    new BigDecimal("0.0500"));
        Instant expiresAt = Instant.parse("2030-01-01T00:00:00Z");
        long version = append(tenant, created(id, tenant, project), new ExecutionStarted(id),
                              new UsageRecorded(id, 5, new BigDecimal("0.0500"), "planner", 5, new BigDecimal("0.0500"),
                                                BudgetState.OK),
                              new CheckpointCreated(id, expired, 0, "first", state, expiresAt),
                              new CheckpointCreated(id, live, 0, "second", state, expiresAt),
                              new CheckpointExpired(id, expired));
        awaitExecutionVersion(id, version);

        Response response = api().get("/api/v1/executions/" + id, TestTokens.read(tenant));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"" + version + "\"");
        JsonNode body = response.body();
        assertThat(body.get("id").asString()).isEqualTo(id.toString());
        assertThat(body.get("executionId").asString()).isEqualTo(id.toString());
        assertThat(body.get("status").asString()).isEqualTo("running");
        assertThat(body.get("tokensUsed").asLong()).isEqualTo(5);
        assertThat(body.get("costIncurred").decimalValue()).isEqualByComparingTo("0.05");
        assertThat(body.get("costLimit").decimalValue()).isEqualByComparingTo("10");
        assertThat(body.get("onLimitReached").asString()).isEqualTo("pause");
        assertThat(body.get("agents").get(0).get("name").asString()).isEqualTo("planner");
        assertThat(body.get("checkpoints")).hasSize(1);
        assertThat(body.get("checkpoints").get(0).get("id").asString()).isEqualTo(live.toString());
        assertThat(body.get("checkpoints").get(0).get("state").get("completedSteps").get(0).asString()).isEqualTo("a");
        assertThat(body.get("checkpoints").get(0).get("expiresAt").asString()).isEqualTo("2030-01-01T00:00:00Z");
    }

    @Test
    void execution_returns404_forAnotherTenantsExecution() {
        UUID id = execution(project, false);
        assertProblem(api().get("/api/v1/executions/" + id, TestTokens.read(UUID.randomUUID())), 404, "not_found");
        assertProblem(api().get("/api/v1/executions/" + UUID.randomUUID(), TestTokens.read(tenant)), 404, "not_found");
    }

    @Test
    void execution_withMinVersion_waitsForTheProjection_orAnswers504() {
        UUID id = execution(project, false);
        CompletableFuture<Response> waiting = api().getAsync("/api/v1/executions/" + id + "?minVersion=1",
                                                             TestTokens.read(tenant));
        append(tenant, new ExecutionStarted(id));

        assertThat(waiting.join().body().get("status").asString()).isEqualTo("running");
        assertProblem(api().get("/api/v1/executions/" + id + "?minVersion=9", TestTokens.read(tenant)), 504,
                      "stale_read_model");
    }

    @Test
    void executions_filterByProjectAndStatus_inKeysetPages() {
        List<UUID> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(execution(project, true));
        }
        execution(project, false);
        execution(UUID.randomUUID(), true);

        Response first = api().get("/api/v1/executions?projectId=" + project + "&status=running&limit=2",
                                   TestTokens.read(tenant));
        Response second = api().get("/api/v1/executions?projectId=" + project + "&status=running&limit=2&cursor="
                                    + first.body().get("nextCursor").asString(), TestTokens.read(tenant));

        assertThat(ids(first)).containsExactly(running.get(0), running.get(1));
        assertThat(ids(second)).containsExactly(running.get(2));
        assertThat(second.body().get("nextCursor").isNull()).isTrue();
        assertThat(ids(api().get("/api/v1/executions?projectId=" + project, TestTokens.read(UUID.randomUUID()))))
                .isEmpty();
    }

    @Test
    void executions_returns400_forAnUnknownStatus_orALimitOutOfRange() {
        assertProblem(api().get("/api/v1/executions?status=sleeping", TestTokens.read(tenant)), 400, "validation_failed");
        assertProblem(api().get("/api/v1/executions?limit=0", TestTokens.read(tenant)), 400, "validation_failed");
    }

    private static List<UUID> ids(Response response) {
        List<UUID> ids = new ArrayList<>();
        response.body().get("items").forEach(item -> ids.add(UUID.fromString(item.get("id").asString())));
        return ids;
    }
}
