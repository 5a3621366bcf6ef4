package dev.verity.query.faults;

import dev.verity.query.TestTokens;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite: both apps as processes on a PostgreSQL server of the suite's own, with clients
 * sending commands while a node is killed with SIGKILL, while PostgreSQL stops with
 * {@code -m immediate}, and while two command nodes race on the same tasks. Whatever happens,
 * nothing acknowledged with an id and a version may be lost, no {@code Idempotency-Key} may have
 * two effects, and verification of every read-model table must say {@code ok} afterwards.
 * Each scenario prints its figures ({@code faults[...]: ... acknowledged, ... lost}).
 * <p>
 * Scenarios share one platform (starting it is most of the suite's time) but not tenants, keys
 * or tasks; verification covers the whole platform, so it also sees what earlier scenarios left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {

    private static final int CLIENTS = Integer.getInteger("verity.faults.clients", 16);
    private static final Duration LOAD = Duration.ofSeconds(4);
    /**
     * While a node is killed and started again, each client starts an operation at most this often
     * (16 clients: at most 80 a second, about a quarter of what the two cores serve), so requests
     * are in flight at the kill but the node that starts again is not starved of CPU.
     */
    private static final Duration KILL_PACE = Duration.ofMillis(200);
    /** False acknowledgements need a crash at the wrong instant of a request: several chances. */
    private static final int POSTGRES_RESTARTS = 5;
    /** How long clients keep retrying an operation in hand once the load stops. */
    private static final Duration RETRY_WINDOW = Duration.ofSeconds(60);
    private static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(60);
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);

    private static ScratchPostgres database;
    private static FaultPlatform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        database = ScratchPostgres.start();
        platform = new FaultPlatform(database.jdbcUrl());
        platform.startCommandAndQuery();
    }

    @AfterAll
    static void stopPlatform() throws InterruptedException {
        try {
            if (platform != null) {
                platform.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    /** A scenario that failed half-way (PostgreSQL crashed, a node down) does not sink the next one. */
    @BeforeEach
    void wholePlatform() throws Exception {
        database.ensureRunning();
        platform.reviveDeadNodes();
    }

    @Test
    @Order(2)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void racingCommandNodes_conflictWith409or412_andLoseNoUpdate() throws Exception {
        platform.startSecondCommandNode();
        UUID tenant = UUID.randomUUID();
        String writer = token(tenant, "read write");
        String prefix = prefix("race");
        List<UUID> tasks = new ArrayList<>();
        List<Operation> creations = new ArrayList<>();
        Map<UUID, Long> versions = new ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            Operation creation = createTask(writer, prefix + "task-" + i);
            creations.add(creation);
            tasks.add(creation.ackId);
            versions.put(creation.ackId, creation.ackVersion);
        }
        List<String> nodes = List.of(platform.api(FaultPlatform.COMMAND), platform.api(FaultPlatform.SECOND_COMMAND));
        CommandLoad load = new CommandLoad(platform, prefix, writer, new CommandLoad.Workload() {
            @Override
            public Operation next(int client, Operation previous, String key, Random random) {
                UUID task = tasks.get(random.nextInt(tasks.size()));
                return Operation.addStep(key, task, random.nextBoolean() ? versions.get(task) : null);
            }

            @Override
            public String commandApi(Random random) {
                return nodes.get(random.nextInt(nodes.size()));
            }

            @Override
            public Long afterConflict(Operation operation) {
                return operation.ifMatch == null ? null : versions.get(operation.taskId);
            }

            @Override
            public void acknowledged(Operation operation) {
                versions.merge(operation.taskId, operation.ackVersion, Math::max);
            }
        }).start(CLIENTS);
        Thread.sleep(LOAD.multipliedBy(2).toMillis());
        load.stop(RETRY_WINDOW);

        List<Operation> operations = new ArrayList<>(creations);
        operations.addAll(load.operations());
        FaultFigures figures = figures("race", prefix, operations, tenant);
        int wrongVersion = 0;
        Set<String> taskVersions = new HashSet<>();
        int sameVersion = 0;
        for (Operation operation : operations) {
            if (operation.acknowledged() && operation.ackIfMatch != null
                && operation.ackVersion != operation.ackIfMatch + 1) {
                wrongVersion++;
            }
            if (operation.acknowledged() && !taskVersions.add(operation.task() + "@" + operation.ackVersion)) {
                sameVersion++;
            }
        }
        printAnswers("race", load);
        System.out.printf("faults[race]: %d conflicts across 2 command nodes, %d acknowledged If-Match writes at"
                          + " another version, %d versions acknowledged twice%n",
                          load.conflicts(), wrongVersion, sameVersion);

        platform.stop(FaultPlatform.SECOND_COMMAND);
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(load.answers().keySet()).as("answers other than 2xx, 409 and 412")
              .allMatch(label -> label.matches("(20[01]|409 .*|412 .*)"));
        softly.assertThat(load.conflicts()).as("two nodes racing on three tasks must conflict").isPositive();
        softly.assertThat(wrongVersion).as("If-Match writes acknowledged at another version than If-Match + 1").isZero();
        softly.assertThat(sameVersion).as("two writes acknowledged at the same version of a task (a lost update)")
              .isZero();
        assertNothingLost(softly, figures);
        assertVerified(softly, "race");
        softly.assertAll();
    }

    @Test
    @Order(3)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void commandSideKilledUnderLoad_losesNothingAcknowledged() throws Exception {
        killedUnderLoad("kill-command", FaultPlatform.COMMAND);
    }

    @Test
    @Order(4)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void querySideKilledUnderLoad_losesNothingAcknowledged() throws Exception {
        killedUnderLoad("kill-query", FaultPlatform.QUERY);
    }

    /** First, on apps not yet warmed up: slower requests are in flight longer when PostgreSQL dies. */
    @Test
    @Order(1)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void postgresRestartedUnderLoad_answersOnlyCommitted2xxOr503() throws Exception {
        // A quarter of the clients send no Idempotency-Key, and so never retry: with a key, a
        // request's first statement claims it; without one, the event store is the first thing
        // the request touches, and a storage failure there must not look like success either.
        UUID tenant = UUID.randomUUID();
        String prefix = prefix("pg-restart");
        CommandLoad load = new CommandLoad(platform, prefix, token(tenant, "read write"),
                                           CommandLoad.ownTasks(CLIENTS, 4, platform.api(FaultPlatform.COMMAND)))
                .start(CLIENTS);
        Instant recovered = Instant.now();
        for (int round = 0; round < POSTGRES_RESTARTS; round++) {
            Thread.sleep(3000);
            database.crash();
            Thread.sleep(round % 2 == 0 ? 1000 : 2500);
            database.resume();
            recovered = Instant.now();
        }
        Thread.sleep(LOAD.toMillis());
        load.stop(RETRY_WINDOW);

        FaultFigures figures = figures("pg-restart", prefix, load.operations(), tenant);
        printAnswers("pg-restart", load);
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(load.answers().keySet())
              .as("while PostgreSQL restarts a command answers a committed 2xx with id and version, or 503"
                  + " problem+json with Retry-After (I/O errors aside)")
              .allMatch(label -> label.matches("20[01]|503 [a-z_]+|I/O .*"));
        assertRecovered(softly, load, recovered);
        assertNothingLost(softly, figures);
        assertVerified(softly, "pg-restart");
        softly.assertAll();
    }

    private void killedUnderLoad(String scenario, String node) throws Exception {
        UUID tenant = UUID.randomUUID();
        String prefix = prefix(scenario);
        CommandLoad load = new CommandLoad(platform, prefix, token(tenant, "read write"),
                                           CommandLoad.ownTasks(CLIENTS, 0, platform.api(FaultPlatform.COMMAND)))
                .paced(KILL_PACE)
                .start(CLIENTS);
        Thread.sleep(LOAD.toMillis());
        platform.kill(node);
        Instant killed = Instant.now();
        platform.restart(node);
        Instant restarted = Instant.now();
        System.out.printf("faults[%s]: %s killed with SIGKILL, healthy again after %d ms%n", scenario, node,
                          Duration.between(killed, restarted).toMillis());
        Thread.sleep(LOAD.toMillis());
        load.stop(RETRY_WINDOW);

        FaultFigures figures = figures(scenario, prefix, load.operations(), tenant);
        printAnswers(scenario, load);
        SoftAssertions softly = new SoftAssertions();
        assertRecovered(softly, load, restarted);
        assertNothingLost(softly, figures);
        assertVerified(softly, scenario);
        softly.assertAll();
    }

    private FaultFigures figures(String scenario, String prefix, List<Operation> operations, UUID tenant)
            throws Exception {
        FaultFigures figures = FaultFigures.measure(scenario, prefix, operations, database, platform,
                                                    platform.api(FaultPlatform.QUERY), token(tenant, "read"),
                                                    VISIBILITY_TIMEOUT);
        System.out.println(figures.line());
        figures.examples().forEach(example -> System.out.println("faults[" + scenario + "]:   " + example));
        return figures;
    }

    private static void printAnswers(String scenario, CommandLoad load) {
        System.out.println("faults[" + scenario + "]: answers " + load.answers());
    }

    private static void assertRecovered(SoftAssertions softly, CommandLoad load, Instant after) {
        softly.assertThat(load.operations()).as("operations acknowledged after the fault was over")
                                     .anyMatch(op -> op.acknowledged() && op.ackedAt.isAfter(after));
    }

    private static void assertNothingLost(SoftAssertions softly, FaultFigures figures) {
        softly.assertThat(figures.acknowledged()).as("acknowledged operations").isPositive();
        softly.assertThat(figures.falseAcknowledgements()).as("2xx answers without id and version: " + figures.examples())
              .isZero();
        softly.assertThat(figures.lost()).as("acknowledged but not stored or not visible: " + figures.examples()).isZero();
        softly.assertThat(figures.duplicated()).as("keys with more than one effect: " + figures.examples()).isZero();
        softly.assertThat(figures.unresolved()).as("operations never answered 2xx within the retry window").isZero();
    }

    private static void assertVerified(SoftAssertions softly, String scenario) throws Exception {
        String operator = token(UUID.randomUUID(), "operator");
        FaultPlatform.Reply reply = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            reply = platform.post(operator, platform.api(FaultPlatform.QUERY) + "/admin/verify", null, Map.of(),
                                  Duration.ofMinutes(2));
            if (reply.status() != 409) {
                break;
            }
            Thread.sleep(1000);
        }
        softly.assertThat(reply.status()).as("POST /admin/verify -> " + reply.body()).isEqualTo(200);
        if (reply.status() != 200) {
            return;
        }
        JsonNode result = reply.json();
        List<String> differences = new ArrayList<>();
        result.get("tables").forEach(table -> {
            if (!table.get("ok").asBoolean()) {
                differences.add(table.get("table").asString() + ": " + table.get("liveRows").asLong() + " live, "
                                + table.get("rebuiltRows").asLong() + " rebuilt, " + table.get("missingRows").asLong()
                                + " missing, " + table.get("extraRows").asLong() + " extra, "
                                + table.get("changedRows").asLong() + " changed");
            }
        });
        result.get("projections").forEach(projection -> {
            if (!projection.get("caughtUp").asBoolean() || projection.hasNonNull("error")) {
                differences.add(projection.get("name").asString() + " verified through "
                                + projection.get("position").asLong() + " of " + projection.get("head").asLong()
                                + (projection.hasNonNull("error") ? ": " + projection.get("error").asString() : ""));
            }
        });
        boolean ok = result.get("ok").asBoolean();
        System.out.println("faults[" + scenario + "]: verify ok=" + ok + (differences.isEmpty() ? "" : " " + differences));
        softly.assertThat(ok).as("POST /api/v1/admin/verify ok after " + scenario + ": " + differences).isTrue();
    }

    private static Operation createTask(String writer, String key) throws Exception {
        Operation creation = Operation.createTask(key);
        FaultPlatform.Reply reply = platform.post(
                writer, platform.api(FaultPlatform.COMMAND) + "/tasks",
                Map.of("projectId", UUID.randomUUID().toString(), "type", "REVIEW", "title", key),
                Map.of("Idempotency-Key", key), Duration.ofSeconds(30));
        assertThat(reply.status()).as("POST /tasks -> " + reply.body()).isEqualTo(201);
        creation.ackId = UUID.fromString(reply.json().get("id").asString());
        creation.ackVersion = reply.json().get("version").asLong();
        creation.ackedAt = Instant.now();
        return creation;
    }

    private static String prefix(String scenario) {
        return "faults-" + RUN + "-" + scenario + "-";
    }

    private static String token(UUID tenant, String scope) {
        return TestTokens.token(FaultPlatform.SECRET, tenant, scope, Instant.now().plus(Duration.ofHours(1)));
    }
}
