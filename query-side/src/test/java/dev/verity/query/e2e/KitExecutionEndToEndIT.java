package dev.verity.query.e2e;

import dev.verity.query.EventStreams;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both executable jars, started as separate processes on one database, and a kit execution driven
 * from creation to its end over HTTP: commands on one port, reads (with read-your-writes) and its
 * audit trail on the other.
 */
class KitExecutionEndToEndIT {

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
    void kitExecutionGoesFromCreationToPartial_acrossBothApps() throws Exception {
        UUID tenant = UUID.randomUUID();
        String token = TestTokens.token(RunningPlatform.SECRET, tenant, "read write audit",
                                        Instant.now().plusSeconds(600));
        UUID project = UUID.randomUUID();

        JsonNode created = post(token, "/kit-executions",
                                Map.of("projectId", project, "kitId", "landing-page", "kitVersion", "1.2.0",
                                       "inputSnapshot", Map.of("brief", "A landing page for the launch"),
                                       "workflowRunId", "wf-42"), Map.of(), 201);
        String id = created.get("id").asString();
        assertThat(get(token, "/kit-executions/" + id + "?minVersion=0", 200).get("status").asString())
                .isEqualTo("pending");
        Map<String, Object> secret = Map.of("projectId", project, "kitId", "landing-page", "kitVersion", "1.2.0",
                                            "inputSnapshot", Map.of("deploy", Map.of("apiKey", "live-key-123")));
        assertThat(post(token, "/kit-executions", secret, Map.of(), 400).get("code").asString())
                .isEqualTo("secret_rejected");

        post(token, "/kit-executions/" + id + "/start", null, Map.of("If-Match", "\"0\""), 200);
        post(token, "/kit-executions/" + id + "/outputs",
             Map.of("outputId", "hero", "filename", "hero.html", "outputType", "html", "status", "valid",
                    "contentHash", "ab".repeat(32), "tokenUsagePrompt", 1200, "tokenUsageCompletion", 300),
             Map.of(), 201);
        post(token, "/kit-executions/" + id + "/outputs",
             Map.of("outputId", "pricing", "filename", "pricing.html", "outputType", "html", "status", "failed",
                    "validationErrors", 2, "tokenUsagePrompt", 400, "tokenUsageCompletion", 50), Map.of(), 201);
        assertThat(post(token, "/kit-executions/" + id + "/outputs",
                        Map.of("outputId", "hero", "filename", "again.html", "outputType", "html", "status", "valid"),
                        Map.of(), 409).get("code").asString()).isEqualTo("already_exists");
        assertThat(post(token, "/kit-executions/" + id + "/complete",
                        Map.of("estimatedCostUsd", new BigDecimal("0.0123456")), Map.of(), 400)
                           .get("code").asString()).isEqualTo("validation_failed");
        JsonNode completed = post(token, "/kit-executions/" + id + "/complete",
                                  Map.of("estimatedCostUsd", new BigDecimal("0.012345"),
                                         "bundlePath", "s3://bundles/" + id), Map.of(), 200);
        long finalVersion = completed.get("version").asLong();

        JsonNode execution = get(token, "/kit-executions/" + id + "?minVersion=" + finalVersion, 200);
        assertThat(execution.get("status").asString()).isEqualTo("partial");
        assertThat(execution.get("version").asLong()).isEqualTo(4);
        assertThat(execution.get("userId").asString()).isEqualTo(EventStreams.ACTOR_ID);
        assertThat(execution.get("outputCount").asInt()).isEqualTo(2);
        assertThat(execution.get("outputsValid").asInt()).isEqualTo(1);
        assertThat(execution.get("outputsFailed").asInt()).isEqualTo(1);
        assertThat(execution.get("tokenUsageTotal").asInt()).isEqualTo(1950);
        assertThat(execution.get("estimatedCostUsd").decimalValue()).isEqualByComparingTo("0.012345");
        assertThat(execution.get("executionTimeMs").isInt()).isTrue();
        List<String> outputs = new ArrayList<>();
        execution.get("outputs").forEach(output -> outputs.add(output.get("outputId").asString()));
        assertThat(outputs).containsExactly("hero", "pricing");
        assertThat(get(token, "/kit-executions?projectId=" + project + "&status=partial", 200).get("items"))
                .hasSize(1);
        JsonNode pastState = get(token, "/audit/kit-executions/" + id + "/as-of?version=2", 200);
        assertThat(pastState.get("outputCount").asInt()).isEqualTo(1);
        assertThat(get(token, "/audit/kit-executions/" + id + "/history", 200).get("items")).hasSize(5);

        String stranger = TestTokens.token(RunningPlatform.SECRET, UUID.randomUUID(), "read write",
                                           Instant.now().plusSeconds(600));
        get(stranger, "/kit-executions/" + id, 404);
        post(stranger, "/kit-executions/" + id + "/fail", Map.of("errorMessage", "not yours"), Map.of(), 404);
        assertThat(get(stranger, "/kit-executions?projectId=" + project, 200).get("items")).isEmpty();
    }

    private static JsonNode post(String token, String path, Object body, Map<String, String> headers, int status)
            throws Exception {
        RunningPlatform.Reply reply = platform.command(token, path, body, headers);
        assertThat(reply.status()).as("POST " + path + " -> " + reply.body()).isEqualTo(status);
        return reply.body();
    }

    private static JsonNode get(String token, String path, int status) throws Exception {
        RunningPlatform.Reply reply = platform.query(token, path);
        assertThat(reply.status()).as("GET " + path + " -> " + reply.body()).isEqualTo(status);
        return reply.body();
    }
}
