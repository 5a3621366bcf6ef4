package dev.verity.query.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verity side by side with stock Axon and raw PostgreSQL, one system at a time in one run, and one
 * table with the ratio against stock Axon and whether each goal of issue 10 holds. Figures, not
 * assertions: a benchmark that fails on a slow machine says nothing. Runs only when asked
 * ({@code ./verity bench}, which builds the peer and makes the fresh databases).
 *
 * <p>Per system: a warm-up, then a create burst (wrk, create.lua) with two probes running
 * (freshness: acknowledged until visible in the query API; reads of one task), how far the read
 * model is behind when the burst ends and how long it takes to catch up, a lifecycle burst
 * (lifecycle.lua), then a full replay of the tasks read model over everything stored. Settings: {@code verity.bench.seconds}
 * (20; 5 is a quick iteration), {@code verity.bench.clients} (32), {@code verity.bench.warmup} (seconds; 1.5 bursts, at most 30),
 * {@code verity.bench.stock.jar} and {@code verity.bench.stock.database} (the peer; skipped when
 * absent), {@code verity.bench.pg.database} (pgbench; skipped when absent),
 * {@code verity.bench.command.jvm} and {@code verity.bench.query.jvm} (extra JVM options for each side, e.g. JFR).
 */
@EnabledIfSystemProperty(named = "verity.bench", matches = "true")
class PlatformBenchmarkIT {

    private static final Path SCRIPTS = Path.of("src", "test", "resources", "bench");
    private static final Path OUTPUT = Path.of("target", "bench");

    private static final String EXECUTION_BODY = "{\"projectId\":\"PROJECT_ID\",\"strategy\":\"sequential\","
            + "\"agents\":[{\"name\":\"planner\",\"role\":\"lead\",\"status\":\"idle\"}]}";

    private final int seconds = Integer.getInteger("verity.bench.seconds", 20);
    private final int clients = Integer.getInteger("verity.bench.clients", 32);
    // Both systems get the same warm-up, long enough for C2 to compile the hot path: with 10 s,
    // Verity's first burst ran a quarter below its steady rate (244 against 322 creates/s).
    private final int warmup = Integer.getInteger("verity.bench.warmup", Math.max(3, Math.min(30, seconds * 3 / 2)));

    private CpuMeter cpu;

    @Test
    void printFigures() throws Exception {
        Files.createDirectories(OUTPUT);
        cpu = CpuMeter.forTestDatabase();
        String pgDatabase = System.getProperty("verity.bench.pg.database", "");
        Pgbench.Result postgres = pgDatabase.isBlank() || !Pgbench.installed() ? null
                : Pgbench.run(pgDatabase, SCRIPTS.resolve("insert-event.sql"), clients, seconds, OUTPUT.resolve("pgbench"));

        String stockJar = System.getProperty("verity.bench.stock.jar", "");
        String stockDatabase = System.getProperty("verity.bench.stock.database", "");
        SystemFigures stock = null;
        if (!stockJar.isBlank() && Files.exists(Path.of(stockJar)) && !stockDatabase.isBlank()) {
            int port = Integer.getInteger("verity.bench.stock.port", 48090);
            stock = measure("stock-axon", new StockAxonPeer(Path.of(stockJar), stockDatabase, port), system -> { });
        }

        List<String> commandJvm = jvmOptions("verity.bench.command.jvm");
        List<String> queryJvm = jvmOptions("verity.bench.query.jvm");
        SliceFigures[] slices = new SliceFigures[1];
        SystemFigures verity = measure("verity", new VerityBenchSystem(commandJvm, queryJvm),
                                       system -> slices[0] = measureSlices((VerityBenchSystem) system));

        System.out.println(new BenchTable(seconds, clients, postgres, stock, verity, slices[0]).render());
    }

    private static List<String> jvmOptions(String property) {
        String options = System.getProperty(property, "").trim();
        return options.isEmpty() ? List.of() : Arrays.asList(options.split("\\s+"));
    }

    /** What else to measure on a system before it stops, after its task figures. */
    @FunctionalInterface
    private interface Afterwards {
        void measure(BenchSystem system) throws Exception;
    }

    private SystemFigures measure(String name, BenchSystem system, Afterwards afterwards) throws Exception {
        double hostReference = HostSpeed.referenceMillis();
        System.out.printf("%s: host reference work %.0f ms (SHA-256 of 64 MiB, lower is faster)%n", name, hostReference);
        try (system) {
            String existing = system.createTask();
            String createUrl = system.root() + system.tasksPath();
            wrk(name + "-warmup", SCRIPTS.resolve("create.lua"), createUrl, 2, warmup, system.wrkEnvironment());
            awaitCaughtUp(system);

            BurstProbes probes = new BurstProbes(new BurstProbes.Subject() {
                @Override
                public String create() throws Exception {
                    return system.createTask();
                }

                @Override
                public int read(String id) throws Exception {
                    return system.readTask(id);
                }
            }, existing, seconds);
            CpuMeter.Span createSpan = cpu.start(system.pids());
            probes.start();
            Wrk.Result creates = wrk(name + "-creates", SCRIPTS.resolve("create.lua"), createUrl, 2, seconds,
                                     system.wrkEnvironment());
            BurstProbes.Figures probed = probes.stop();
            long behind = system.behind();
            double catchUp = awaitCaughtUp(system);
            CpuMeter.Usage createCpu = createSpan.stop();
            System.out.printf("%s-creates CPU through catch-up: %s ms per create, machine %.0f %% busy over %.1f s%n",
                              name, createCpu.perUnit(creates.requests()), createCpu.machineBusy() * 100,
                              createCpu.wallSeconds());

            Map<String, String> lifecycleEnvironment = new HashMap<>(system.wrkEnvironment());
            lifecycleEnvironment.put("BASE_PATH", system.tasksPath());
            lifecycleEnvironment.put("STEPS", system.lifecycleSteps());
            CpuMeter.Span lifecycleSpan = cpu.start(system.pids());
            // One connection per wrk thread: lifecycle.lua keeps a task's state in its thread.
            Wrk.Result lifecycle = wrk(name + "-lifecycle", SCRIPTS.resolve("lifecycle.lua"), system.root(), clients,
                                       seconds, lifecycleEnvironment);
            awaitCaughtUp(system);
            CpuMeter.Usage lifecycleCpu = lifecycleSpan.stop();
            System.out.printf("%s-lifecycle CPU through catch-up: %s ms per command%n", name,
                              lifecycleCpu.perUnit(lifecycle.requests()));

            // Last, over every event both bursts stored: a larger store shows the rate, not the set-up.
            BenchSystem.Replay replay = system.replay();
            System.out.printf("%s-replay: %d events in %.1f s%n", name, replay.events(), replay.seconds());
            afterwards.measure(system);
            return new SystemFigures(hostReference, creates, probed, behind, catchUp, createCpu, replay, lifecycle,
                                     lifecycleCpu, peakRss(system.pids()));
        }
    }

    /**
     * The executions and obligations slices under the same load as the tasks (issue 10: they hold
     * the same figures for their own commands), after the replay so that it stays over task bursts
     * alone: execution creates, execution lifecycles (create, start, complete), and obligations
     * added to sessions of 50, then how long the two read models take to catch up.
     */
    private SliceFigures measureSlices(VerityBenchSystem verity) throws Exception {
        String executions = verity.root() + "/api/v1/executions";
        Map<String, String> createExecution = new HashMap<>(verity.wrkEnvironment());
        createExecution.put("BODY", EXECUTION_BODY);
        // Probed as the task burst is, so that the two create rates carry the same extra reads.
        BurstProbes probes = new BurstProbes(verity.executions(), visible(verity.executions()), seconds);
        CpuMeter.Span executionSpan = cpu.start(verity.pids());
        probes.start();
        Wrk.Result executionCreates = wrk("verity-execution-creates", SCRIPTS.resolve("create.lua"), executions, 2,
                                          seconds, createExecution);
        BurstProbes.Figures executionProbes = probes.stop();
        // Through the executions read model's catch-up, as the task burst's CPU is, so the two compare.
        secondsUntil("the executions read model caught up", () -> verity.behind("executions") == 0);
        CpuMeter.Usage executionCpu = executionSpan.stop();
        System.out.printf("verity-execution-creates CPU through catch-up: %s ms per create, machine %.0f %% busy%n",
                          executionCpu.perUnit(executionCreates.requests()), executionCpu.machineBusy() * 100);

        Map<String, String> executionLifecycle = new HashMap<>(verity.wrkEnvironment());
        executionLifecycle.put("BASE_PATH", "/api/v1/executions");
        executionLifecycle.put("STEPS", "start,complete");
        executionLifecycle.put("CREATE_BODY", EXECUTION_BODY);
        Wrk.Result lifecycles = wrk("verity-execution-lifecycle", SCRIPTS.resolve("lifecycle.lua"), verity.root(),
                                    clients, seconds, executionLifecycle);

        Wrk.Result obligations = wrk("verity-obligations", SCRIPTS.resolve("obligations.lua"), verity.root(), clients,
                                     seconds, verity.wrkEnvironment());
        double catchUp = secondsUntil("the executions and sessions read models caught up",
                                      () -> verity.behind("executions") == 0 && verity.behind("sessions") == 0);
        return new SliceFigures(executionCreates, executionProbes, executionCpu, lifecycles, obligations, catchUp);
    }

    private Wrk.Result wrk(String label, Path script, String url, int threads, int duration,
                           Map<String, String> environment) throws Exception {
        Wrk.Result result = Wrk.run(script, url, threads, clients, duration, environment);
        Files.writeString(OUTPUT.resolve(label + ".txt"), result.output());
        System.out.printf("%s: %.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d refused, %d socket errors%n", label,
                          result.requestsPerSecond(), result.p50Millis(), result.p99Millis(), result.refused(),
                          result.socketErrors());
        return result;
    }

    /**
     * A new record of {@code subject}'s, once the query API shows it: the read probe needs one that
     * exists (the task burst's is created before the warm-up, and the catch-up after it shows it).
     */
    private static String visible(BurstProbes.Subject subject) throws Exception {
        String id = subject.create();
        secondsUntil(id + " became visible", () -> subject.read(id) == 200);
        return id;
    }

    /** Seconds until the read model has applied every stored event (at most 10 minutes). */
    private static double awaitCaughtUp(BenchSystem system) throws Exception {
        return secondsUntil("the read model caught up", () -> system.behind() == 0);
    }

    /** Something the benchmark waits for, polled every 50 ms. */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Seconds until {@code condition} holds; fails after 10 minutes, naming {@code what} it waited for. */
    private static double secondsUntil(String what, Condition condition) throws Exception {
        long started = System.nanoTime();
        long deadline = started + 600_000_000_000L;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within 10 minutes: " + what);
            }
            Thread.sleep(50);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** Each process's peak resident memory (VmHWM) in kB, -1 when /proc does not tell. */
    private static Map<String, Long> peakRss(Map<String, Long> pids) throws Exception {
        Map<String, Long> peaks = new LinkedHashMap<>();
        for (Map.Entry<String, Long> process : pids.entrySet()) {
            Path status = Path.of("/proc", String.valueOf(process.getValue()), "status");
            long kilobytes = -1;
            if (Files.exists(status)) {
                kilobytes = Files.readAllLines(status).stream()
                                 .filter(line -> line.startsWith("VmHWM:"))
                                 .map(line -> line.replaceAll("\\D", ""))
                                 .mapToLong(Long::parseLong).findFirst().orElse(-1);
            }
            peaks.put(process.getKey(), kilobytes);
        }
        return peaks;
    }
}
