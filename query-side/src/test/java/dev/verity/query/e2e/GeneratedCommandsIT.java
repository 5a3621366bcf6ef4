package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever the command side accepts must project: generated commands for every command endpoint,
 * with hostile values ({@link HostileValues}), sent to both apps running as processes. Every
 * answer is a committed 2xx or a 4xx problem, never a 5xx; every accepted change shows up in the
 * query API at its version; no event of these tenants is parked as a dead letter; and each
 * tenant's own verification rebuilds its rows and finds them equal.
 * <p>
 * Tenants share client-chosen child ids on purpose (a step id of one tenant reused by another),
 * so the run also shows that such collisions neither cross tenants nor fail to project.
 * {@code -Dverity.generated.scenarios=N} sizes the run, {@code -Dverity.generated.seed=S} replays one.
 */
class GeneratedCommandsIT {

    private static final int SCENARIOS = Integer.getInteger("verity.generated.scenarios", 150);
    private static final long SEED = Long.getLong("verity.generated.seed", System.nanoTime());
    private static final int TENANTS = 4;
    /** {@code -Dverity.generated.debug=true} prints every refusal's problem, to see what the generator hits. */
    private static final boolean DEBUG = Boolean.getBoolean("verity.generated.debug");
    /** The command API's documented limits for free-form JSON (README, Limits). */
    private static final int JSON_MAX_KEYS = 1_000;
    private static final int JSON_MAX_BYTES = 64 * 1024;
    private static final int JSON_MAX_DEPTH = 32;
    private static final List<String> TYPES = List.of("PROVIDE", "DECIDE", "REVIEW", "CONNECT");
    private static final List<String> ACTION_TYPES = List.of("FORM_SUBMIT", "SINGLE_SELECT", "MULTI_SELECT",
            "TEXT_INPUT", "FILE_UPLOAD", "APPROVE_REJECT", "EXTERNAL_LINK");

    private static RunningPlatform platform;

    private final HostileValues values = new HostileValues(SEED);
    private final List<Tenant> tenants = new ArrayList<>();
    /** Child ids any tenant has used, offered to the others as collisions. */
    private final List<UUID> childIds = new ArrayList<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private int requests;

    /** One tenant's token and the tasks it created, with the version each last acknowledged. */
    private record Tenant(UUID id, String token, Map<UUID, GeneratedTask> tasks) {
    }

    private static final class GeneratedTask {
        final UUID id;
        final Object title;
        long version;
        final List<UUID> actions = new ArrayList<>();
        final List<UUID> steps = new ArrayList<>();

        GeneratedTask(UUID id, Object title, long version) {
            this.id = id;
            this.title = title;
            this.version = version;
        }
    }

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
    void everyAcceptedCommand_projects_withNoDeadLetterAndVerifiedTables() throws Exception {
        for (int i = 0; i < TENANTS; i++) {
            UUID tenant = UUID.randomUUID();
            tenants.add(new Tenant(tenant, TestTokens.token(RunningPlatform.SECRET, tenant,
                                                            "read write audit admin", Instant.now().plusSeconds(3600)),
                                   new LinkedHashMap<>()));
        }
        for (int scenario = 0; scenario < SCENARIOS; scenario++) {
            Tenant tenant = values.pick(tenants);
            GeneratedTask task = create(tenant);
            if (task == null) {
                continue;
            }
            for (int step = values.between(4, 14); step > 0; step--) {
                followUp(tenant, task);
            }
        }
        int accepted = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("2"))
                               .mapToInt(Map.Entry::getValue).sum();
        System.out.printf("generated commands: %d requests in %d scenarios (seed %d): %d accepted, %d refused %s%n",
                          requests, SCENARIOS, SEED, accepted, requests - accepted, outcomes);
        assertThat(outcomes.keySet()).as("no 5xx for any generated command").noneMatch(s -> s.startsWith("5"));
        assertThat(accepted).as("the generator must produce accepted commands too").isGreaterThan(SCENARIOS);

        int tasks = 0;
        for (Tenant tenant : tenants) {
            for (GeneratedTask task : tenant.tasks().values()) {
                assertProjected(tenant, task);
                tasks++;
            }
        }
        for (Tenant tenant : tenants) {
            assertThat(deadLetters(tenant)).as("dead letters of tenant " + tenant.id()).isEmpty();
            JsonNode verification = platform.post(tenant.token(), platform.queryApi + "/audit/verify", Map.of(),
                                                  Map.of()).json();
            assertThat(verification.get("ok").asBoolean()).as("tenant verification " + verification).isTrue();
        }
        System.out.printf("generated commands: %d tasks of %d tenants projected at their acknowledged versions,"
                          + " 0 dead letters, verification ok%n", tasks, TENANTS);
    }

    private GeneratedTask create(Tenant tenant) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (values.chance(0.3)) {
            body.put("id", values.chance(0.3) && !childIds.isEmpty() ? values.pick(childIds) : values.uuid());
        }
        body.put("projectId", values.chance(0.95) ? values.uuid() : "not-a-uuid");
        body.put("type", values.mostly(TYPES, "review"));
        Object title = values.text(255);
        body.put("title", title);
        optional(body, "description", () -> values.text(10_000));
        optional(body, "priority", () -> values.mostly(List.of("low", "medium", "high", "critical"), "urgent"));
        if (values.chance(0.4)) {
            body.put("assigneeType", values.mostly(List.of("user", "agent"), "robot"));
            body.put("assigneeId", values.text(255));
        }
        optional(body, "dueDate", values::instant);
        optional(body, "componentKey", () -> values.text(100));
        optional(body, "metadata", () -> values.json(JSON_MAX_KEYS, JSON_MAX_BYTES, JSON_MAX_DEPTH));
        if (values.chance(0.2) && !tenant.tasks().isEmpty()) {
            body.put("dependencies", List.of(values.pick(List.copyOf(tenant.tasks().keySet()))));
        }
        if (values.chance(0.1) && !tenant.tasks().isEmpty()) {
            body.put("parentTaskId", values.pick(List.copyOf(tenant.tasks().keySet())));
        }
        RunningPlatform.RawReply reply = send(tenant, "/tasks", body);
        if (reply.status() != 201) {
            return null;
        }
        UUID id = UUID.fromString(reply.json().get("id").asString());
        GeneratedTask task = new GeneratedTask(id, title, reply.json().get("version").asLong());
        tenant.tasks().put(id, task);
        return task;
    }

    /** One random command on the task; its answer updates what the task is expected to show. */
    private void followUp(Tenant tenant, GeneratedTask task) throws Exception {
        String base = "/tasks/" + task.id;
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> headers = Map.of();
        String path;
        switch (values.between(0, 12)) {
            case 0 -> {
                path = base + "/assign";
                body.put("assigneeType", values.pick(List.of("user", "agent")));
                body.put("assigneeId", values.text(255));
            }
            case 1 -> path = base + "/start";
            case 2 -> {
                path = base + "/block";
                body.put("reason", values.text(2_000));
            }
            case 3 -> path = base + "/unblock";
            case 4 -> {
                if (values.chance(0.6)) {
                    return;
                }
                path = base + "/complete";
                optional(body, "notes", () -> values.text(10_000));
            }
            case 5, 6 -> {
                path = base + "/actions";
                childId(body);
                body.put("type", values.mostly(ACTION_TYPES, "NOPE"));
                body.put("label", values.text(255));
                optional(body, "description", () -> values.text(10_000));
                optional(body, "config", () -> values.json(JSON_MAX_KEYS, JSON_MAX_BYTES, JSON_MAX_DEPTH));
                optional(body, "displayOrder", () -> values.between(-5, 1_000));
            }
            case 7 -> {
                if (task.actions.isEmpty() && values.chance(0.8)) {
                    return;
                }
                UUID action = task.actions.isEmpty() || values.chance(0.1) ? values.uuid() : values.pick(task.actions);
                path = base + "/actions/" + action + "/submissions";
                body.put("data", values.json(JSON_MAX_KEYS, JSON_MAX_BYTES, JSON_MAX_DEPTH));
                headers = Map.of("Idempotency-Key", values.text(255));
            }
            case 8 -> {
                path = base + "/targets";
                childId(body);
                body.put("targetType", values.pick(List.of("question", "feature", "spec_section")));
                body.put("targetId", values.chance(0.9) ? values.uuid() : values.text(36));
                optional(body, "metadata", () -> values.json(JSON_MAX_KEYS, JSON_MAX_BYTES, JSON_MAX_DEPTH));
            }
            case 9 -> {
                path = base + "/steps";
                childId(body);
                body.put("action", values.text(10_000));
            }
            default -> {
                if (task.steps.isEmpty() && values.chance(0.8)) {
                    return;
                }
                UUID step = task.steps.isEmpty() || values.chance(0.1) ? values.uuid() : values.pick(task.steps);
                String move = values.pick(List.of("start", "start", "complete", "fail"));
                path = base + "/steps/" + step + "/" + move;
                if (move.equals("complete")) {
                    optional(body, "result", () -> values.text(100_000));
                } else if (move.equals("fail")) {
                    body.put("error", values.text(100_000));
                }
            }
        }
        RunningPlatform.RawReply reply = send(tenant, path, body, headers);
        if (reply.status() / 100 != 2) {
            return;
        }
        task.version = Math.max(task.version, reply.json().get("version").asLong());
        UUID id = UUID.fromString(reply.json().get("id").asString());
        if (path.endsWith("/actions")) {
            task.actions.add(id);
        } else if (path.endsWith("/steps")) {
            task.steps.add(id);
        }
        if (path.endsWith("/actions") || path.endsWith("/steps") || path.endsWith("/targets")) {
            childIds.add(id);
        }
    }

    /** A child id of the client's choosing: none, a fresh one, or one some tenant already used. */
    private void childId(Map<String, Object> body) {
        if (values.chance(0.6)) {
            body.put("id", !childIds.isEmpty() && values.chance(0.5) ? values.pick(childIds) : values.uuid());
        }
    }

    private RunningPlatform.RawReply send(Tenant tenant, String path, Map<String, Object> body) throws Exception {
        return send(tenant, path, body, Map.of());
    }

    private RunningPlatform.RawReply send(Tenant tenant, String path, Map<String, Object> body,
                                          Map<String, String> headers) throws Exception {
        Map<String, String> allHeaders = new HashMap<>(headers);
        if (values.chance(0.1)) {
            allHeaders.put("X-Correlation-Id", values.text(128));
        }
        RunningPlatform.RawReply reply;
        try {
            reply = platform.post(tenant.token(), platform.commandApi + path, body, allHeaders);
        } catch (IllegalArgumentException headerTheClientCannotSend) {
            allHeaders.replaceAll((name, value) -> value.replaceAll("[^\\x21-\\x7e]", "x"));
            reply = platform.post(tenant.token(), platform.commandApi + path, body, allHeaders);
        }
        requests++;
        String outcome = String.valueOf(reply.status());
        if (reply.status() / 100 != 2) {
            assertThat(reply.contentType()).as("POST " + path + " answered " + reply.status() + ": " + reply.body())
                                           .startsWith("application/problem+json");
            assertThat(reply.json().hasNonNull("code")).as("problem code of " + reply.body()).isTrue();
            outcome += " " + reply.json().get("code").asString();
        }
        outcomes.merge(outcome, 1, Integer::sum);
        if (DEBUG && reply.status() == 400) {
            System.out.println("generated commands: POST " + path + " -> " + reply.body());
        }
        return reply;
    }

    private void assertProjected(Tenant tenant, GeneratedTask task) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        RunningPlatform.RawReply reply;
        do {
            reply = platform.get(tenant.token(), platform.queryApi + "/tasks/" + task.id + "?minVersion=" + task.version);
        } while (reply.status() == 504 && Instant.now().isBefore(deadline));
        assertThat(reply.status()).as("task " + task.id + " at version " + task.version + ": " + reply.body())
                                  .isEqualTo(200);
        assertThat(reply.json().get("title").asString()).as("title of " + task.id).isEqualTo(task.title);
    }

    private List<JsonNode> deadLetters(Tenant tenant) throws Exception {
        List<JsonNode> mine = new ArrayList<>();
        JsonNode items = platform.get(tenant.token(), platform.queryApi + "/admin/dead-letters?limit=1000")
                                 .json().get("items");
        items.forEach(letter -> {
            if (tenant.tasks().containsKey(UUID.fromString(letter.get("aggregateIdentifier").asString()))) {
                mine.add(letter);
            }
        });
        return mine;
    }

    private void optional(Map<String, Object> body, String field, Supplier<Object> value) {
        if (values.chance(0.5)) {
            body.put(field, value.get());
        }
    }
}
