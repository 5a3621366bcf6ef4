package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three query nodes and two command nodes on one database, under load: the query nodes split
 * every projection's segments, one is killed with kill -9 and its segments move to the others
 * within seconds, it comes back and gets its share again, and at the end the read model holds
 * every acknowledged write and verifies {@code ok}.
 */
class ScaleOutIT {

    private static final List<String> PROCESSORS = List.of("tasks", "event-log");
    private static final int CLIENTS = 8;
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(5);

    @Test
    void queryNodes_shareSegments_takeOverFromAKilledNode_andGiveItsShareBack() throws Exception {
        try (RunningPlatform platform = RunningPlatform.start()) {
            RunningPlatform.Node secondCommand = platform.startCommandNode("command-side-2");
            RunningPlatform.Node second = platform.startQueryNode("query-side-2");
            RunningPlatform.Node third = platform.startQueryNode("query-side-3");
            List<String> commandApis = List.of(platform.commandApi, secondCommand.api());
            String firstOwner = platform.pids().get(1) + "@";

            awaitSplit(List.of(firstOwner, second.ownerPrefix(), third.ownerPrefix()), Duration.ofSeconds(20));
            System.out.printf("%n== scale-out: segments split over 3 query nodes: %s ==%n", owners());

            UUID tenant = UUID.randomUUID();
            String token = TestTokens.token(RunningPlatform.SECRET, tenant, "read write", Instant.now().plusSeconds(600));
            Load load = new Load(platform, commandApis, token);
            load.start();
            try {
                Thread.sleep(5_000);
                long killed = System.nanoTime();
                platform.kill(third);
                awaitOwners(owners -> owners.stream().allMatch(owner -> owner != null
                                                                        && !owner.startsWith(third.ownerPrefix())),
                            Duration.ofSeconds(30));
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                System.out.printf("== scale-out: kill -9 of a query node under load, its segments taken over in"
                                  + " %.1f s ==%n", takeover.toMillis() / 1000.0);

                long starting = System.nanoTime();
                RunningPlatform.Node returned = platform.startQueryNode("query-side-3-returned");
                Duration startUp = Duration.ofNanos(System.nanoTime() - starting);
                awaitSplit(List.of(firstOwner, second.ownerPrefix(), returned.ownerPrefix()), Duration.ofSeconds(20));
                Duration rebalanced = Duration.ofNanos(System.nanoTime() - starting);
                System.out.printf("== scale-out: the returning node healthy after %.1f s under load, its share back"
                                  + " after %.1f s: %s ==%n", startUp.toMillis() / 1000.0,
                                  rebalanced.toMillis() / 1000.0, owners());

                assertThat(takeover).isLessThanOrEqualTo(TAKEOVER_LIMIT);
            } finally {
                load.stop();
            }
            System.out.printf("== scale-out: %d tasks created and started by %d clients over 2 command nodes"
                              + " (%d failures) ==%n", load.acknowledged.size(), CLIENTS, load.failures.get());
            assertThat(load.failures.get()).isZero();

            awaitReadModel(load.acknowledged, Duration.ofSeconds(60));
            String operator = TestTokens.token(RunningPlatform.SECRET, tenant, "operator", Instant.now().plusSeconds(600));
            RunningPlatform.RawReply verified = platform.post(operator, platform.queryApi + "/admin/verify", Map.of(),
                                                              Map.of());
            assertThat(verified.status()).as(verified.body()).isEqualTo(200);
            assertThat(verified.json().get("ok").asBoolean()).as(verified.body()).isTrue();
        }
    }

    /** 8 clients creating and starting tasks on both command nodes in turn until stopped. */
    private static final class Load {

        private final RunningPlatform platform;
        private final List<String> commandApis;
        private final String token;
        private final Map<UUID, Long> acknowledged = new ConcurrentHashMap<>();
        private final AtomicInteger failures = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        private final List<Future<?>> clients = new ArrayList<>();
        private final long deadline = System.nanoTime() + LOAD.toNanos();

        Load(RunningPlatform platform, List<String> commandApis, String token) {
            this.platform = platform;
            this.commandApis = commandApis;
            this.token = token;
        }

        void start() {
            for (int client = 0; client < CLIENTS; client++) {
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
    }

    /** Every live node holds a share of every processor's segments, the shares differing by one at most. */
    private static void awaitSplit(List<String> nodes, Duration timeout) throws Exception {
        awaitOwners(owners -> {
            Map<String, Integer> counts = new HashMap<>();
            for (String owner : owners) {
                String node = owner == null ? null : nodes.stream().filter(owner::startsWith).findFirst().orElse(null);
                if (node == null) {
                    return false;
                }
                counts.merge(node, 1, Integer::sum);
            }
            return counts.size() == Math.min(nodes.size(), owners.size())
                   && counts.values().stream().mapToInt(Integer::intValue).max().orElse(0)
                      - counts.values().stream().mapToInt(Integer::intValue).min().orElse(0) <= 1;
        }, timeout);
    }

    /** Waits until the owners of each processor's segments pass {@code condition}. */
    private static void awaitOwners(Predicate<Collection<String>> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, List<String>> owners = owners();
            if (owners.keySet().containsAll(PROCESSORS) && owners.values().stream().allMatch(condition)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Segment owners never settled within " + timeout + ": " + owners);
            }
            Thread.sleep(50);
        }
    }

    /** Processor name to the owner of each of its segments (null for an unclaimed one), from the token store. */
    private static Map<String, List<String>> owners() throws SQLException {
        Map<String, List<String>> owners = new HashMap<>();
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT processor_name, owner FROM event_store.token_entry WHERE processor_name = ANY(?)"
                     + " ORDER BY processor_name, segment")) {
            statement.setArray(1, connection.createArrayOf("varchar", PROCESSORS.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    owners.computeIfAbsent(rows.getString(1), p -> new ArrayList<>()).add(rows.getString(2));
                }
            }
        }
        return owners;
    }

    /** Every acknowledged task is in read_model.tasks at the version its last acknowledgement gave. */
    private static void awaitReadModel(Map<UUID, Long> acknowledged, Duration timeout) throws Exception {
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
        TestDatabase.Connection database = TestDatabase.connection();
        return DriverManager.getConnection(database.url(), database.username(), database.password());
    }
}
