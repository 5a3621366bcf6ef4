package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Verity as the benchmark drives it: both apps, every projection, one tenant's tokens. */
final class VerityBenchSystem implements BenchSystem {

    private final RunningPlatform platform;
    private final String write;
    private final String admin;
    private final String operator;
    private final UUID project = UUID.randomUUID();

    VerityBenchSystem(List<String> commandJvmOptions, List<String> queryJvmOptions) throws Exception {
        // The JVM's full tiered JIT, as stock Axon runs with: ./verity up (and the other tests) stop at
        // C1 for a fast start-up on a busy machine, which costs peak speed (VERITY_JAVA_OPTS= lifts it).
        this.platform = RunningPlatform.start(List.of("-XX:TieredStopAtLevel=4"), commandJvmOptions, queryJvmOptions);
        UUID tenant = UUID.randomUUID();
        Instant expires = Instant.now().plus(Duration.ofHours(6));
        this.write = TestTokens.token(RunningPlatform.SECRET, tenant, "read write", expires);
        this.admin = TestTokens.token(RunningPlatform.SECRET, tenant, "admin", expires);
        this.operator = TestTokens.token(RunningPlatform.SECRET, UUID.randomUUID(), "operator", expires);
    }

    @Override
    public String root() {
        return platform.commandApi.substring(0, platform.commandApi.length() - "/api/v1".length());
    }

    @Override
    public String tasksPath() {
        return "/api/v1/tasks";
    }

    @Override
    public String lifecycleSteps() {
        return "assign,start,complete";
    }

    @Override
    public Map<String, String> wrkEnvironment() {
        return Map.of("TOKEN", write, "PROJECT", project.toString());
    }

    @Override
    public String createTask() throws Exception {
        return created("/tasks", Map.of("projectId", project, "type", "PROVIDE", "title", "probe"));
    }

    @Override
    public int readTask(String id) throws Exception {
        return platform.get(write, platform.queryApi + "/tasks/" + id).status();
    }

    /** The id of a record created by POSTing {@code body} to {@code path}, once the command API answers 201. */
    private String created(String path, Map<String, Object> body) throws Exception {
        RunningPlatform.Reply reply = platform.command(write, path, body, Map.of());
        if (reply.status() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + reply.status() + ": " + reply.body());
        }
        return reply.body().get("id").asString();
    }

    /** Executions, created as the execution burst creates them, for that burst's probes. */
    BurstProbes.Subject executions() {
        return new BurstProbes.Subject() {
            @Override
            public String create() throws Exception {
                return created("/executions", Map.of(
                        "projectId", project, "strategy", "sequential",
                        "agents", List.of(Map.of("name", "planner", "role", "lead", "status", "idle"))));
            }

            @Override
            public int read(String id) throws Exception {
                return platform.get(write, platform.queryApi + "/executions/" + id).status();
            }
        };
    }

    @Override
    public long behind() throws Exception {
        return behind("tasks");
    }

    /** Events stored that projection {@code name} (tasks, executions, sessions, ...) has not applied yet. */
    long behind(String projection) throws Exception {
        return status(admin, projection).get("lag").asLong();
    }

    @Override
    public Replay replay() throws Exception {
        RunningPlatform.RawReply started = platform.post(operator, platform.queryApi
                + "/admin/projections/tasks/rebuild", Map.of(), Map.of());
        if (started.status() != 202) {
            throw new IllegalStateException("rebuild answered " + started.status() + ": " + started.body());
        }
        while (true) {
            JsonNode rebuild = status(operator, "tasks").get("rebuild");
            String state = rebuild.get("state").asString();
            if (state.equals("done")) {
                double seconds = Duration.between(Instant.parse(rebuild.get("startedAt").asString()),
                                                  Instant.parse(rebuild.get("finishedAt").asString()))
                                         .toNanos() / 1e9;
                return new Replay(rebuild.get("eventsReplayed").asLong(), seconds);
            }
            if (!state.equals("replaying") && !state.equals("swapping")) {
                throw new IllegalStateException("rebuild ended " + state + ": " + rebuild);
            }
            Thread.sleep(100);
        }
    }

    private JsonNode status(String token, String projection) throws Exception {
        RunningPlatform.RawReply reply = platform.get(token, platform.queryApi + "/admin/projections/" + projection);
        if (reply.status() != 200) {
            throw new IllegalStateException("projection status answered " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    @Override
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("command side", platform.pids().get(0));
        pids.put("query side", platform.pids().get(1));
        return pids;
    }

    @Override
    public void close() throws Exception {
        platform.close();
    }
}
