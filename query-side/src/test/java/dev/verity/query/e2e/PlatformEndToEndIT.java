package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both executable jars, started as separate processes on one database, and a task driven from
 * creation to completion over HTTP: commands on one port, reads (with read-your-writes) on the other.
 */
class PlatformEndToEndIT {

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
    void taskGoesFromCreationToCompletion_acrossBothApps() throws Exception {
        UUID tenant = UUID.randomUUID();
        String token = TestTokens.token(RunningPlatform.SECRET, tenant, "read write", Instant.now().plusSeconds(600));
        UUID project = UUID.randomUUID();

        JsonNode dependency = post(token, "/tasks", Map.of("projectId", project, "type", "PROVIDE",
                                                           "title", "Provide the data room"), Map.of(), 201);
        String dependencyId = dependency.get("id").asString();
        JsonNode created = post(token, "/tasks", Map.of("projectId", project, "type", "REVIEW", "title", "Review contract",
                                                        "priority", "high", "dependencies", List.of(dependencyId)),
                                Map.of(), 201);
        String id = created.get("id").asString();
        assertThat(get(token, "/tasks/" + id + "?minVersion=0", 200).get("status").asString()).isEqualTo("blocked");

        JsonNode action = post(token, "/tasks/" + id + "/actions",
                               Map.of("type", "APPROVE_REJECT", "label", "Approve?",
                                      "config", Map.of("approveLabel", "Yes", "rejectLabel", "No")), Map.of(), 201);
        post(token, "/tasks/" + dependencyId + "/start", null, Map.of(), 200);
        post(token, "/tasks/" + dependencyId + "/complete", Map.of("notes", "uploaded"), Map.of(), 200);

        JsonNode unblocked = get(token, "/tasks/" + id + "?minVersion=2", 200);
        assertThat(unblocked.get("status").asString()).isEqualTo("pending");
        assertThat(unblocked.get("blockedBy")).isEmpty();

        post(token, "/tasks/" + id + "/assign", Map.of("assigneeType", "agent", "assigneeId", "reviewer-bot"),
             Map.of("If-Match", "\"2\""), 200);
        post(token, "/tasks/" + id + "/start", null, Map.of(), 200);
        String step = post(token, "/tasks/" + id + "/steps", Map.of("action", "read clauses"), Map.of(), 201)
                .get("id").asString();
        post(token, "/tasks/" + id + "/steps/" + step + "/start", null, Map.of(), 200);
        post(token, "/tasks/" + id + "/steps/" + step + "/complete", Map.of("result", "no red flags"), Map.of(), 200);
        String submissions = "/tasks/" + id + "/actions/" + action.get("id").asString() + "/submissions";
        Map<String, String> key = Map.of("Idempotency-Key", "decision-1");
        JsonNode submitted = post(token, submissions, Map.of("data", Map.of("decision", "approve")), key, 201);
        JsonNode retried = post(token, submissions, Map.of("data", Map.of("decision", "approve")), key, 200);
        assertThat(retried.get("id")).isEqualTo(submitted.get("id"));
        post(token, "/tasks/" + id + "/targets", Map.of("targetType", "feature", "targetId", UUID.randomUUID()),
             Map.of(), 201);
        JsonNode completed = post(token, "/tasks/" + id + "/complete", Map.of("notes", "approved"), Map.of(), 200);
        long finalVersion = completed.get("version").asLong();

        JsonNode task = get(token, "/tasks/" + id + "?minVersion=" + finalVersion, 200);
        assertThat(task.get("status").asString()).isEqualTo("completed");
        assertThat(task.get("version").asLong()).isEqualTo(finalVersion);
        assertThat(task.get("completionNotes").asString()).isEqualTo("approved");
        assertThat(task.get("assigneeId").asString()).isEqualTo("reviewer-bot");
        assertThat(task.get("actions")).hasSize(1);
        assertThat(task.get("targets")).hasSize(1);
        assertThat(task.get("steps").get(0).get("status").asString()).isEqualTo("completed");
        assertThat(get(token, "/tasks/" + id + "/submissions", 200).get("items")).hasSize(1);
        List<String> activity = new ArrayList<>();
        get(token, "/tasks/" + id + "/activity", 200).get("items")
                .forEach(item -> activity.add(item.get("activityType").asString()));
        assertThat(activity).containsExactly("created", "unblocked", "assigned", "status_changed",
                                             "action_submitted", "completed");

        String stranger = TestTokens.token(RunningPlatform.SECRET, UUID.randomUUID(), "read write",
                                           Instant.now().plusSeconds(600));
        get(stranger, "/tasks/" + id, 404);
        assertThat(get(stranger, "/tasks?projectId=" + project, 200).get("items")).isEmpty();
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
