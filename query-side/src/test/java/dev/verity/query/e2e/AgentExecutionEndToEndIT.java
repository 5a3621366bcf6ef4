package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both executable jars, and one agent execution driven over HTTP under its project's budget:
 * the budget set with PUT, the execution taking its limits, a checkpoint, usage reaching the limit
 * and pausing it, raised limits, a resume from the checkpoint, completion, the budget's usage and
 * the execution's past read back from the query side.
 */
class AgentExecutionEndToEndIT {

    private static RunningPlatform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        platform = RunningPlatform.start();
    }

    @AfterAll
    static void stopPlatform() throws InterruptedException {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void agentExecutionRunsUnderItsProjectsBudget_acrossBothApps() throws Exception {
        UUID tenant = UUID.randomUUID();
        String token = TestTokens.token(RunningPlatform.SECRET, tenant, "read write audit", Instant.now().plusSeconds(600));
        UUID project = UUID.randomUUID();

        JsonNode budget = put(token, "/projects/" + project + "/budget",
                              Map.of("maxTokens", 1000, "maxCostUsd", 2.5, "onLimitReached", "pause"), 201);
        String id = post(token, "/executions", Map.of("projectId", project, "strategy", "sequential", "totalSteps", 3,
                                                      "agents", List.of(Map.of("name", "planner", "role", "lead",
                                                                               "status", "idle"))), 201)
                .get("id").asString();
        JsonNode created = get(token, "/executions/" + id + "?minVersion=0", 200);
        assertThat(created.get("status").asString()).isEqualTo("pending");
        assertThat(created.get("tokensLimit").asInt()).isEqualTo(1000);
        assertThat(created.get("costLimit").decimalValue()).isEqualByComparingTo("2.5");

        post(token, "/executions/" + id + "/start", null, 200);
        post(token, "/executions/" + id + "/steps", Map.of("stepName", "research",
                                                           "intermediateResults", Map.of("sources", 3)), 200);
        String checkpoint = post(token, "/executions/" + id + "/checkpoints",
                                 Map.of("stepIndex", 1, "stepName", "research", "ttl", "PT1H",
                                        "state", Map.of("completedSteps", List.of("research"),
                                                        "intermediateResults", Map.of("sources", 3))), 201)
                .get("id").asString();
        post(token, "/executions/" + id + "/steps", Map.of("stepName", "draft",
                                                           "intermediateResults", Map.of("draft", "v1")), 200);
        JsonNode firstReport = post(token, "/executions/" + id + "/usage", Map.of("tokens", 600, "costUsd", 0.1234), 200);
        JsonNode secondReport = post(token, "/executions/" + id + "/usage", Map.of("tokens", 500, "costUsd", 0.01), 200);
        assertThat(firstReport.get("budgetState").asString()).isEqualTo("ok");
        assertThat(secondReport.get("budgetState").asString()).isEqualTo("exceeded");
        assertThat(secondReport.get("status").asString()).isEqualTo("paused");
        post(token, "/executions/" + id + "/usage", Map.of("tokens", 1, "costUsd", 0), 409);
        post(token, "/executions/" + id + "/resume", null, 409);

        post(token, "/executions/" + id + "/limits", Map.of("tokensLimit", 5000), 200);
        post(token, "/executions/" + id + "/resume", Map.of("checkpointId", checkpoint), 200);
        JsonNode resumed = get(token, "/executions/" + id + "?minVersion=" + (secondReport.get("version").asLong() + 2),
                               200);
        assertThat(resumed.get("currentStep").asInt()).isEqualTo(1);
        assertThat(resumed.get("intermediateResults").has("draft")).isFalse();
        assertThat(resumed.get("tokensUsed").asLong()).as("usage stays incurred").isEqualTo(1100);
        assertThat(resumed.get("checkpoints")).hasSize(1);
        long finalVersion = post(token, "/executions/" + id + "/complete", Map.of("finalResult", Map.of("answer", 42)),
                                 200).get("version").asLong();

        JsonNode done = get(token, "/executions/" + id + "?minVersion=" + finalVersion, 200);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("finalResult").get("answer").asInt()).isEqualTo(42);
        JsonNode usage = get(token, "/projects/" + project + "/budget?minVersion=" + budget.get("version").asLong(), 200)
                .get("usage");
        assertThat(usage.get("tokensUsed").asLong()).isEqualTo(1100);
        assertThat(usage.get("costIncurred").decimalValue()).isEqualByComparingTo("0.1334");
        JsonNode between = get(token, "/audit/executions/" + id + "/as-of?version=" + firstReport.get("version").asLong(),
                               200);
        assertThat(between.get("tokensUsed").asLong()).isEqualTo(600);
        assertThat(get(token, "/executions?projectId=" + project + "&status=completed", 200).get("items")).hasSize(1);

        String stranger = TestTokens.token(RunningPlatform.SECRET, UUID.randomUUID(), "read write",
                                           Instant.now().plusSeconds(600));
        get(stranger, "/executions/" + id, 404);
        assertThat(get(stranger, "/projects/" + project + "/budget", 200).get("configured").asBoolean()).isFalse();
    }

    private static JsonNode put(String token, String path, Object body, int status) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(platform.commandApi + path))
                           .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                           .PUT(HttpRequest.BodyPublishers.ofString(RunningPlatform.JSON.writeValueAsString(body)))
                           .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT " + path + " -> " + response.body()).isEqualTo(status);
        return RunningPlatform.JSON.readTree(response.body());
    }

    private static JsonNode post(String token, String path, Object body, int status) throws Exception {
        RunningPlatform.Reply reply = platform.command(token, path, body, Map.of());
        assertThat(reply.status()).as("POST " + path + " -> " + reply.body()).isEqualTo(status);
        return reply.body();
    }

    private static JsonNode get(String token, String path, int status) throws Exception {
        RunningPlatform.Reply reply = platform.query(token, path);
        assertThat(reply.status()).as("GET " + path + " -> " + reply.body()).isEqualTo(status);
        return reply.body();
    }
}
