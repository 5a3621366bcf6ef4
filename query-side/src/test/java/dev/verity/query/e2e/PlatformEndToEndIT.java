package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both executable jars, started as separate processes on one database the way {@code ./verity up}
 * runs them, and a task driven from creation to completion over HTTP: commands on one port,
 * reads (with read-your-writes) on the other.
 */
class PlatformEndToEndIT {

    private static final String SECRET = "end-to-end-secret-that-is-at-least-32-bytes";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<Process> APPS = new ArrayList<>();

    private static String commandApi;
    private static String queryApi;

    @BeforeAll
    static void startPlatform() throws Exception {
        int commandPort = freePort();
        int queryPort = freePort();
        commandApi = "http://127.0.0.1:" + commandPort + "/api/v1";
        queryApi = "http://127.0.0.1:" + queryPort + "/api/v1";
        APPS.add(start(jar("../command-side/target", "command-side"), commandPort,
                       Map.of("VERITY_QUERY_BASE_URL", "http://127.0.0.1:" + queryPort)));
        APPS.add(start(jar("target", "query-side"), queryPort, Map.of()));
        awaitHealthy(commandPort);
        awaitHealthy(queryPort);
    }

    @AfterAll
    static void stopPlatform() throws InterruptedException {
        for (Process app : APPS) {
            app.destroy();
        }
        for (Process app : APPS) {
            if (!app.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    @Test
    void taskGoesFromCreationToCompletion_acrossBothApps() throws Exception {
        UUID tenant = UUID.randomUUID();
        String token = TestTokens.token(SECRET, tenant, "read write", Instant.now().plusSeconds(600));
        UUID project = UUID.randomUUID();

        JsonNode dependency = post(token, "/tasks", Map.of("projectId", project, "type", "PROVIDE",
                                                           "title", "Provide the data room"), null, 201);
        String dependencyId = dependency.get("id").asString();
        JsonNode created = post(token, "/tasks", Map.of("projectId", project, "type", "REVIEW", "title", "Review contract",
                                                        "priority", "high", "dependencies", List.of(dependencyId)),
                                null, 201);
        String id = created.get("id").asString();
        assertThat(get(token, "/tasks/" + id + "?minVersion=0", 200).get("status").asString()).isEqualTo("blocked");

        JsonNode action = post(token, "/tasks/" + id + "/actions",
                               Map.of("type", "APPROVE_REJECT", "label", "Approve?",
                                      "config", Map.of("approveLabel", "Yes", "rejectLabel", "No")), null, 201);
        post(token, "/tasks/" + dependencyId + "/start", null, null, 200);
        post(token, "/tasks/" + dependencyId + "/complete", Map.of("notes", "uploaded"), null, 200);

        JsonNode unblocked = get(token, "/tasks/" + id + "?minVersion=2", 200);
        assertThat(unblocked.get("status").asString()).isEqualTo("pending");
        assertThat(unblocked.get("blockedBy")).isEmpty();

        post(token, "/tasks/" + id + "/assign", Map.of("assigneeType", "agent", "assigneeId", "reviewer-bot"),
             "\"2\"", 200);
        post(token, "/tasks/" + id + "/start", null, null, 200);
        String step = post(token, "/tasks/" + id + "/steps", Map.of("action", "read clauses"), null, 201)
                .get("id").asString();
        post(token, "/tasks/" + id + "/steps/" + step + "/start", null, null, 200);
        post(token, "/tasks/" + id + "/steps/" + step + "/complete", Map.of("result", "no red flags"), null, 200);
        String submissions = "/tasks/" + id + "/actions/" + action.get("id").asString() + "/submissions";
        JsonNode submitted = postWithKey(token, submissions, Map.of("data", Map.of("decision", "approve")), 201);
        JsonNode retried = postWithKey(token, submissions, Map.of("data", Map.of("decision", "approve")), 200);
        assertThat(retried.get("id")).isEqualTo(submitted.get("id"));
        post(token, "/tasks/" + id + "/targets", Map.of("targetType", "feature", "targetId", UUID.randomUUID()), null, 201);
        JsonNode completed = post(token, "/tasks/" + id + "/complete", Map.of("notes", "approved"), null, 200);
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

        String stranger = TestTokens.token(SECRET, UUID.randomUUID(), "read write", Instant.now().plusSeconds(600));
        get(stranger, "/tasks/" + id, 404);
        assertThat(get(stranger, "/tasks?projectId=" + project, 200).get("items")).isEmpty();
    }

    private static JsonNode post(String token, String path, Object body, String ifMatch, int expectedStatus)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(commandApi + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : JSON.writeValueAsString(body)));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return send(request.build(), expectedStatus);
    }

    private static JsonNode postWithKey(String token, String path, Object body, int expectedStatus) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(commandApi + path))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", "decision-1")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    expectedStatus);
    }

    private static JsonNode get(String token, String path, int expectedStatus) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(queryApi + path))
                            .header("Authorization", "Bearer " + token).GET().build(), expectedStatus);
    }

    private static JsonNode send(HttpRequest request, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.method() + " " + request.uri() + " -> " + response.body())
                                         .isEqualTo(expectedStatus);
        return response.body().isBlank() ? null : JSON.readTree(response.body());
    }

    private static Process start(Path jar, int port, Map<String, String> extraEnvironment) throws IOException {
        TestDatabase.Connection database = TestDatabase.connection();
        String name = jar.getFileName().toString().replace(".jar", "");
        Path log = Path.of("target", "e2e-logs", name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("SERVER_PORT", String.valueOf(port));
        environment.put("SPRING_DATASOURCE_URL", database.url());
        environment.put("SPRING_DATASOURCE_USERNAME", database.username() == null ? "" : database.username());
        environment.put("SPRING_DATASOURCE_PASSWORD", database.password() == null ? "" : database.password());
        environment.put("VERITY_SECURITY_JWT_SECRET", SECRET);
        environment.putAll(extraEnvironment);
        return builder.start();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar(String directory, String module) throws IOException {
        Path dir = Path.of(directory);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir.toAbsolutePath() + " is missing: run the whole build (./mvnw verify)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches(module + "-[^/]*\\.jar"))
                        .filter(f -> !f.getFileName().toString().endsWith("-plain.jar"))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("No executable " + module + " jar in "
                                + dir.toAbsolutePath() + ": run the whole build (./mvnw verify)"));
        }
    }

    private static void awaitHealthy(int port) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                                        .timeout(Duration.ofSeconds(2)).GET().build();
        while (Instant.now().isBefore(deadline)) {
            for (Process app : APPS) {
                if (!app.isAlive()) {
                    throw new IllegalStateException("An app exited during start-up; see query-side/target/e2e-logs");
                }
            }
            try {
                if (HTTP.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Port " + port + " never became healthy; see query-side/target/e2e-logs");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
