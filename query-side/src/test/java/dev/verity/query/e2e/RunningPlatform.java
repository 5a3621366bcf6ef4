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
    /**
     * As {@code ./verity up} starts the apps: C1 only (C2's compiler threads starve start-up on a
     * busy 2-core machine), the serial collector (no parallel GC threads to start and feed) and the
     * memory budget that keeps each app within 512 MB resident (see {@code DEFAULT_JAVA_OPTS} there).
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms160m", "-Xmx352m", "-XX:MetaspaceSize=64m",
                                                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

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

    /** Where the apps run when a test gives no database of its own: the shared test database. */
    private static volatile TestDatabase.Connection database;

    /** The database the running apps use. */
    static TestDatabase.Connection database() {
        TestDatabase.Connection own = database;
        return own != null ? own : TestDatabase.connection();
    }

    /**
     * Starts both apps on {@code own} instead of the shared test database: for a test that verifies
     * the whole platform, which the other tests' planted faults and tampered rows would fail.
     */
    static RunningPlatform startOn(TestDatabase.Connection own) throws Exception {
        database = own;
        try {
            return start();
        } catch (Exception e) {
            database = null;
            throw e;
        }
    }

    static RunningPlatform start() throws Exception {
        return start(List.of(), List.of(), List.of());
    }

    /**
     * Both apps with {@code appJvmOptions} on top of {@link #JVM_OPTIONS} (the benchmark's JIT, for
     * instance), each side with its own options on top of those (a profiler).
     */
    static RunningPlatform start(List<String> appJvmOptions, List<String> commandJvmOptions,
                                 List<String> queryJvmOptions) throws Exception {
        int commandPort = freePort();
        int queryPort = freePort();
        RunningPlatform platform = new RunningPlatform(commandPort, queryPort);
        try {
            Path commandJar = jar("../command-side/target", "command-side");
            Path queryJar = jar("target", "query-side");
            Map<String, String> commandEnvironment = Map.of("VERITY_QUERY_BASE_URL", "http://127.0.0.1:" + queryPort);
            ClassDataSharing.prepare(JVM_OPTIONS, Map.of(commandJar, trainingRun(commandEnvironment),
                                                         queryJar, trainingRun(Map.of())));
            List<String> commandOptions = new ArrayList<>(appJvmOptions);
            commandOptions.addAll(commandJvmOptions);
            platform.apps.add(launch(commandJar, commandPort, commandOptions, commandEnvironment));
            List<String> queryOptions = new ArrayList<>(appJvmOptions);
            queryOptions.addAll(queryJvmOptions);
            platform.apps.add(launch(queryJar, queryPort, queryOptions, Map.of()));
            platform.awaitHealthy(commandPort);
            platform.awaitHealthy(queryPort);
            return platform;
        } catch (Exception e) {
            platform.close();
            throw e;
        }
    }

    /** One more app process of a side on the same database, started by {@link #startQueryNode} or {@link #startCommandNode}. */
    record Node(String name, int port, Process process) {

        String api() {
            return "http://127.0.0.1:" + port + "/api/v1";
        }

        /** The owner Axon's token store writes for this node's claims: its JVM's {@code pid@host}. */
        String ownerPrefix() {
            return process.pid() + "@";
        }
    }

    /** Starts another query-side node on the test database and waits until it is healthy; {@code name} names its log. */
    Node startQueryNode(String name) throws Exception {
        return startNode(jar("target", "query-side"), name, Map.of());
    }

    /** Starts another command-side node on the test database and waits until it is healthy. */
    Node startCommandNode(String name) throws Exception {
        return startNode(jar("../command-side/target", "command-side"), name,
                         Map.of("VERITY_QUERY_BASE_URL", queryApi.replace("/api/v1", "")));
    }

    private Node startNode(Path jar, String name, Map<String, String> environment) throws Exception {
        int port = freePort();
        Process process = launch(jar, port, List.of(), environment, name);
        apps.add(process);
        awaitHealthy(port);
        return new Node(name, port, process);
    }

    /** kill -9: the node gets no chance to release its claims or finish its requests. */
    void kill(Node node) throws InterruptedException {
        node.process().destroyForcibly();
        node.process().waitFor(30, TimeUnit.SECONDS);
        apps.remove(node.process());
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
        database = null;
    }

    private static Process launch(Path jar, int port, List<String> jvmOptions, Map<String, String> extraEnvironment)
            throws IOException {
        return launch(jar, port, jvmOptions, extraEnvironment, jar.getFileName().toString().replace(".jar", ""));
    }

    /**
     * Started as {@code ./verity up} starts them ({@link #JVM_OPTIONS}), from the jar's extracted
     * layout with a class-data-sharing archive when {@link ClassDataSharing} could make one, so the
     * classes load mapped from the archive instead of being read, parsed and verified out of the
     * nested jars on every start. {@code jvmOptions} come on top (a profiler, for instance).
     */
    private static Process launch(Path jar, int port, List<String> jvmOptions, Map<String, String> extraEnvironment,
                                  String name) throws IOException {
        Path log = Path.of("target", "e2e-logs", name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(javaExecutable()));
        boolean ownCollector = jvmOptions.stream().anyMatch(option -> option.matches("-XX:\\+Use\\w+GC"));
        // The JVM refuses two collectors: one given on top replaces the serial collector.
        JVM_OPTIONS.stream().filter(option -> !(ownCollector && option.equals("-XX:+UseSerialGC"))).forEach(command::add);
        command.addAll(jvmOptions);
        if (jvmOptions.stream().anyMatch(option -> option.contains("FlightRecord"))) {
            // JDK 17's JFR crashes loading classes from a CDS archive made without it
            // (SIGSEGV in KlassFactory::check_shared_class_file_load_hook): profile without the archive.
            command.add("-Xshare:off");
        }
        command.addAll(ClassDataSharing.launchArguments(jar, JVM_OPTIONS, trainingRun(extraEnvironment)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(builder, port, extraEnvironment);
        return builder.start();
    }

    /** How {@link ClassDataSharing} runs an app once to record the classes it loads: same settings, a port of its own. */
    private static ClassDataSharing.Training trainingRun(Map<String, String> extraEnvironment) {
        return (arguments, log) -> {
            List<String> command = new ArrayList<>(List.of(javaExecutable()));
            command.addAll(JVM_OPTIONS);
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            environment(builder, freePort(), extraEnvironment);
            return builder.start();
        };
    }

    private static void environment(ProcessBuilder builder, int port, Map<String, String> extraEnvironment) {
        TestDatabase.Connection database = database();
        Map<String, String> environment = builder.environment();
        environment.put("SERVER_PORT", String.valueOf(port));
        environment.put("SPRING_DATASOURCE_URL", database.url());
        environment.put("SPRING_DATASOURCE_USERNAME", database.username() == null ? "" : database.username());
        environment.put("SPRING_DATASOURCE_PASSWORD", database.password() == null ? "" : database.password());
        environment.put("VERITY_SECURITY_JWT_SECRET", SECRET);
        environment.putAll(extraEnvironment);
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
