package dev.verity.query.e2e;

import dev.verity.testing.TestDatabase;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Clients creating and starting tasks on the command nodes in turn for a while, and what they were told. */
final class TaskLoad {

    private final RunningPlatform platform;
    private final List<String> commandApis;
    private final String token;
    final Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
    final AtomicInteger failures = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final int clientCount;
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();
    private final long deadline;

    TaskLoad(RunningPlatform platform, List<String> commandApis, String token, int clients, Duration duration) {
        this.platform = platform;
        this.clientCount = clients;
        this.pool = Executors.newFixedThreadPool(clients);
        this.deadline = System.nanoTime() + duration.toNanos();
        this.commandApis = commandApis;
        this.token = token;
    }

    void start() {
        for (int client = 0; client < clientCount; client++) {
            int offset = client;
            clients.add(pool.submit(() -> {
                for (int n = offset; running.get() && System.nanoTime() < deadline; n++) {
                    createAndStart(commandApis.get(n % commandApis.size()), n);
                }
                return null;
            }));
        }
    }

    private void createAndStart(String api, int n) throws Exception {
        RunningPlatform.RawReply created = platform.post(token, api + "/tasks", Map.of(
                "projectId", UUID.randomUUID(), "type", "PROVIDE", "title", "scale-out " + n), Map.of());
        if (created.status() != 201) {
            failures.incrementAndGet();
            return;
        }
        UUID id = UUID.fromString(created.json().get("id").asString());
        acknowledged.put(id, created.json().get("version").asLong());
        RunningPlatform.RawReply started = platform.post(token, api + "/tasks/" + id + "/start", Map.of(), Map.of());
        if (started.status() != 200) {
            failures.incrementAndGet();
            return;
        }
        acknowledged.put(id, started.json().get("version").asLong());
    }

    /** Lets the clients run out their time, then waits for them. */
    void stop() throws Exception {
        try {
            for (Future<?> client : clients) {
                client.get();
            }
        } finally {
            running.set(false);
            pool.shutdownNow();
        }
    }

    /** Every acknowledged task is in read_model.tasks at the version its last acknowledgement gave. */
    static void awaitReadModel(Map<UUID, Long> acknowledged, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<UUID, Long> missing = new HashMap<>(acknowledged);
        while (!missing.isEmpty()) {
            try (Connection connection = connect();
                 PreparedStatement statement = connection.prepareStatement(
                         "SELECT id, version FROM read_model.tasks WHERE id = ANY(?)")) {
                Array ids = connection.createArrayOf("uuid", missing.keySet().toArray());
                statement.setArray(1, ids);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        UUID id = rows.getObject(1, UUID.class);
                        if (Objects.equals(missing.get(id), rows.getLong(2))) {
                            missing.remove(id);
                        }
                    }
                }
            }
            if (!missing.isEmpty() && System.nanoTime() > deadline) {
                throw new AssertionError(missing.size() + " of " + acknowledged.size()
                                         + " acknowledged tasks are missing from the read model");
            }
            Thread.sleep(200);
        }
    }

    private static Connection connect() throws SQLException {
        TestDatabase.Connection database = RunningPlatform.database();
        return DriverManager.getConnection(database.url(), database.username(), database.password());
    }
}
