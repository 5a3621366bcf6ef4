package dev.verity.query.e2e;

import dev.verity.testing.TestDatabase;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Both executable jars started as separate processes on the test database, the way
 * {@code ./verity up} runs them, with a small JSON client for each API.
 */
final class RunningPlatform implements AutoCloseable {

    static final String SECRET = "end-to-end-secret-that-is-at-least-32-bytes";
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> apps = new ArrayList<>();
    final String commandApi;
    final String queryApi;

    record Reply(int status, JsonNode body) {
    }

    /** An answer as it came, for tests that must also see answers that are not JSON. */
    record RawReply(int status, String contentType, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private RunningPlatform(int commandPort, int queryPort) {
        this.commandApi = "http://127.0.0.1:" + commandPort + "/api/v1";
        this.queryApi = "http://127.0.0.1:" + queryPort + "/api/v1";
    }

    static RunningPlatform start() throws Exception {
        return start(List.of());
    }

    /** Both apps, the command side with extra JVM options (a profiler, for instance). */
    static RunningPlatform start(List<String> commandJvmOptions) throws Exception {
        int commandPort = freePort();
        int queryPort = freePort();
        RunningPlatform platform = new RunningPlatform(commandPort, queryPort);
        try {
            platform.apps.add(launch(jar("../command-side/target", "command-side"), commandPort, commandJvmOptions,
                                     Map.of("VERITY_QUERY_BASE_URL", "http://127.0.0.1:" + queryPort)));
            platform.apps.add(launch(jar("target", "query-side"), queryPort, List.of(), Map.of()));
            platform.awaitHealthy(commandPort);
            platform.awaitHealthy(queryPort);
            return platform;
        } catch (Exception e) {
            platform.close();
            throw e;
        }
    }

    List<Long> pids() {
        return apps.stream().map(Process::pid).toList();
    }

    Reply command(String token, String path, Object body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(commandApi + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : JSON.writeValueAsString(body)));
        headers.forEach(request::header);
        return send(request.build());
    }

    Reply query(String token, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(queryApi + path))
                               .header("Authorization", "Bearer " + token).GET().build());
    }

    /** POST of {@code body} as JSON to a full URL, answered as it came. */
    RawReply post(String token, String url, Object body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        headers.forEach(request::header);
        return sendRaw(request.build());
    }

    RawReply get(String token, String url) throws Exception {
        return sendRaw(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build());
    }

    private RawReply sendRaw(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new RawReply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                            response.body());
    }

    private Reply send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process app : apps) {
            app.destroy();
        }
        for (Process app : apps) {
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    private static Process launch(Path jar, int port, List<String> jvmOptions, Map<String, String> extraEnvironment)
            throws IOException {
        TestDatabase.Connection database = TestDatabase.connection();
        String name = jar.getFileName().toString().replace(".jar", "");
        Path log = Path.of("target", "e2e-logs", name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
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
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("No executable " + module + " jar in "
                                + dir.toAbsolutePath() + ": run the whole build (./mvnw verify)"));
        }
    }

    private void awaitHealthy(int port) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                                        .timeout(Duration.ofSeconds(2)).GET().build();
        while (Instant.now().isBefore(deadline)) {
            for (Process app : apps) {
                if (!app.isAlive()) {
                    throw new IllegalStateException("An app exited during start-up; see query-side/target/e2e-logs");
                }
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
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
