package dev.verity.query.faults;

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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The apps of the fault suite as processes on one database, each a named node on a fixed port, so
 * a node can be killed with SIGKILL and started again where its clients expect it. A sibling of
 * {@code e2e.RunningPlatform}, which starts one node of each side on the shared test database;
 * every process started here is also killed by a shutdown hook should the test JVM end first.
 */
final class FaultPlatform implements AutoCloseable {

    static final String SECRET = "fault-suite-secret-that-is-at-least-32-bytes";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String COMMAND = "command";
    static final String SECOND_COMMAND = "command-b";
    static final String QUERY = "query";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String jdbcUrl;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::killAll, "fault-platform-kill");

    private record Node(String module, int port, Map<String, String> environment, Process[] process) {

        boolean alive() {
            return process[0] != null && process[0].isAlive();
        }
    }

    record Reply(int status, String contentType, String retryAfter, String body) {

        JsonNode json() {
            return body.isBlank() ? null : JSON.readTree(body);
        }
    }

    FaultPlatform(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts one command node and one query node and waits until both answer health checks. */
    void startCommandAndQuery() throws Exception {
        int queryPort = freePort();
        add(QUERY, "query-side", queryPort, Map.of());
        add(COMMAND, "command-side", freePort(), Map.of("VERITY_QUERY_BASE_URL", "http://127.0.0.1:" + queryPort));
        launch(QUERY);
        launch(COMMAND);
        awaitHealthy(QUERY);
        awaitHealthy(COMMAND);
    }

    /** A second command-side node on the same database, for commands racing across nodes. */
    void startSecondCommandNode() throws Exception {
        if (!nodes.containsKey(SECOND_COMMAND)) {
            add(SECOND_COMMAND, "command-side", freePort(), nodes.get(COMMAND).environment());
        }
        if (!nodes.get(SECOND_COMMAND).alive()) {
            launch(SECOND_COMMAND);
            awaitHealthy(SECOND_COMMAND);
        }
    }

    String api(String node) {
        return "http://127.0.0.1:" + nodes.get(node).port() + "/api/v1";
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Unix): no shutdown hooks, no graceful close. */
    void kill(String node) throws InterruptedException {
        Process process = nodes.get(node).process()[0];
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(node + " survived SIGKILL");
        }
    }

    /** Starts the node again on its port; returns once it is healthy. */
    void restart(String node) throws Exception {
        launch(node);
        awaitHealthy(node);
    }

    /** A command or query node that died (in a failed test, say) is started again, so the next test starts whole. */
    void reviveDeadNodes() throws Exception {
        for (String node : List.of(COMMAND, QUERY)) {
            if (!nodes.get(node).alive()) {
                restart(node);
            }
        }
    }

    /** A graceful stop (SIGTERM), for a node a scenario no longer needs. */
    void stop(String node) throws InterruptedException {
        Process process = nodes.get(node).process()[0];
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    Reply post(String token, String url, Object body, Map<String, String> headers, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : JSON.writeValueAsString(body)));
        headers.forEach(request::header);
        return send(request.build());
    }

    Reply get(String token, String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                               .header("Authorization", "Bearer " + token).GET().build());
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                         response.headers().firstValue("Retry-After").orElse(null), response.body());
    }

    @Override
    public void close() throws InterruptedException {
        for (Node node : nodes.values()) {
            if (node.alive()) {
                node.process()[0].destroy();
            }
        }
        for (Node node : nodes.values()) {
            Process process = node.process()[0];
            if (process != null && !process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook kills whatever is left
        }
    }

    private void killAll() {
        nodes.values().stream().filter(Node::alive).forEach(node -> node.process()[0].destroyForcibly());
    }

    private void add(String name, String module, int port, Map<String, String> extraEnvironment) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SPRING_DATASOURCE_URL", jdbcUrl);
        environment.put("SPRING_DATASOURCE_USERNAME", "verity");
        environment.put("SPRING_DATASOURCE_PASSWORD", "verity");
        environment.put("VERITY_SECURITY_JWT_SECRET", SECRET);
        environment.putAll(extraEnvironment);
        nodes.put(name, new Node(module, port, Map.copyOf(environment), new Process[1]));
    }

    private void launch(String name) throws IOException {
        Node node = nodes.get(name);
        if (node.alive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Path log = Path.of("target", "fault-logs", name + ".log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "---- " + Instant.now() + " starting " + name + System.lineSeparator(),
                          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // C1 only: a node restarted under load on two cores is ready sooner, and the suite measures
        // correctness, not peak throughput.
        ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-Xmx384m", "-XX:TieredStopAtLevel=1",
                                                    "-jar", jar(node.module()).toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(node.environment());
        builder.environment().put("SERVER_PORT", String.valueOf(node.port()));
        node.process()[0] = builder.start();
    }

    private void awaitHealthy(String name) throws Exception {
        Node node = nodes.get(name);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/actuator/health"))
                                        .timeout(Duration.ofSeconds(2)).GET().build();
        while (Instant.now().isBefore(deadline)) {
            if (!node.alive()) {
                throw new IllegalStateException(name + " exited during start-up; see query-side/target/fault-logs");
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " never became healthy; see query-side/target/fault-logs");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar(String module) throws IOException {
        Path dir = Path.of("..", module, "target");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir.toAbsolutePath() + " is missing: run the whole build (./mvnw verify)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches(module + "-[^/]*\\.jar"))
                        .filter(f -> !f.getFileName().toString().matches(".*-(plain|sources|javadoc|tests)\\.jar"))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("No executable " + module + " jar in "
                                + dir.toAbsolutePath() + ": run the whole build (./mvnw verify)"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
