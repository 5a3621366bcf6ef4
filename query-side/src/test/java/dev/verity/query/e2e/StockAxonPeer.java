package dev.verity.query.e2e;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The stock Axon peer (../shared/peers/stock-axon, built by {@code ./verity bench}) on a fresh
 * database of its own, with the same heap limit as Verity's apps. Its lag is measured like
 * Verity's: the highest global index in its JPA event store minus the position in its
 * processor's token (which it stores with every event it applies).
 */
final class StockAxonPeer implements BenchSystem {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String databaseUrl;
    private final String root;
    private final Process process;

    StockAxonPeer(Path jar, String databaseUrl, int port) throws Exception {
        this.databaseUrl = databaseUrl;
        this.root = "http://127.0.0.1:" + port;
        Path log = Path.of("target", "e2e-logs", "stock-axon.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                                    "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        URI uri = URI.create(databaseUrl.substring("jdbc:".length()));
        builder.environment().put("SPRING_DATASOURCE_URL", "jdbc:postgresql://" + uri.getHost() + ":"
                + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath());
        builder.environment().put("SPRING_DATASOURCE_USERNAME", "verity");
        builder.environment().put("SPRING_DATASOURCE_PASSWORD", "verity");
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        this.process = builder.start();
        awaitHealthy();
    }

    private void awaitHealthy() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("stock Axon exited during start-up; see target/e2e-logs/stock-axon.log");
            }
            try {
                if (send(HttpRequest.newBuilder(URI.create(root + "/actuator/health")).GET()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("stock Axon never became healthy; see target/e2e-logs/stock-axon.log");
    }

    @Override
    public String root() {
        return root;
    }

    @Override
    public String tasksPath() {
        return "/tasks";
    }

    @Override
    public String lifecycleSteps() {
        return "start,complete"; // the peer has no assign
    }

    @Override
    public Map<String, String> wrkEnvironment() {
        return Map.of("PROJECT", UUID.randomUUID().toString());
    }

    @Override
    public String createTask() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(root + "/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"projectId\":\"p\",\"title\":\"probe\"}")));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("stock create answered " + response.statusCode());
        }
        return JSON.readTree(response.body()).get("id").asString();
    }

    @Override
    public int readTask(String id) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(root + "/tasks/" + id)).GET()).statusCode();
    }

    @Override
    public long behind() throws Exception {
        return head() - position();
    }

    /** Reset (the rows go) and replay, done when the token is back at the head. */
    @Override
    public Replay replay() throws Exception {
        long head = head();
        long started = System.nanoTime();
        HttpResponse<String> reset = send(HttpRequest.newBuilder(URI.create(root + "/replay"))
                                                     .POST(HttpRequest.BodyPublishers.noBody()));
        if (reset.statusCode() != 200) {
            throw new IllegalStateException("stock replay answered " + reset.statusCode());
        }
        while (position() < head) {
            Thread.sleep(50);
        }
        return new Replay(single("SELECT count(*) FROM domain_event_entry"), (System.nanoTime() - started) / 1e9);
    }

    private long head() throws Exception {
        return single("SELECT coalesce(max(global_index), 0) FROM domain_event_entry");
    }

    /** The tasks processor's position; its token is JSON in a large object. */
    private long position() throws Exception {
        try (Connection connection = DriverManager.getConnection(databaseUrl);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT convert_from(lo_get(token), 'UTF8') FROM token_entry"
                                                     + " WHERE processor_name = 'tasks' AND token IS NOT NULL")) {
            return rows.next() ? index(JSON.readTree(rows.getString(1))) : 0;
        }
    }

    /** A GapAwareTrackingToken's index; while replaying, a ReplayToken's current token's (nested). */
    private static long index(JsonNode token) {
        if (token == null || token.isNull()) {
            return 0;
        }
        if (token.has("index")) {
            return token.get("index").asLong();
        }
        return index(token.get("currentToken"));
    }

    private long single(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(databaseUrl);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public Map<String, Long> pids() {
        return Map.of("stock Axon", process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
