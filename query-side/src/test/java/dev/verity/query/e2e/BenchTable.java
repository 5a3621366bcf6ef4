package dev.verity.query.e2e;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark's one table, in Markdown so README can carry it as printed: each figure for raw
 * PostgreSQL, stock Axon and Verity, Verity's figure divided by stock Axon's, the goal from issue
 * 10 and whether it holds. A system that was not measured shows "–".
 */
final class BenchTable {

    private static final String NONE = "–";
    private static final long MEMORY_GOAL_KILOBYTES = 512 * 1024;

    private final int seconds;
    private final int clients;
    private final Pgbench.Result postgres;
    private final SystemFigures stock;
    private final SystemFigures verity;
    private final SliceFigures slices;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String[]> sliceRows = new ArrayList<>();

    BenchTable(int seconds, int clients, Pgbench.Result postgres, SystemFigures stock, SystemFigures verity,
               SliceFigures slices) {
        this.seconds = seconds;
        this.clients = clients;
        this.postgres = postgres;
        this.stock = stock;
        this.verity = verity;
        this.slices = slices;
    }

    String render() {
        double creates = verity.creates().requestsPerSecond();
        row("host reference work before the system's bursts (ms, lower is faster)", NONE,
            figure(SystemFigures::hostReferenceMillis, false), "", "");
        row("creates/s (" + clients + " clients)", postgres == null ? NONE : number(postgres.transactionsPerSecond()),
            figure(f -> f.creates().requestsPerSecond(), false), "≥ 2 × stock",
            stock == null ? NONE : yesNo(creates >= 2 * stock.creates().requestsPerSecond()));
        row("create p50 (ms)", postgres == null ? NONE : millis(postgres.p50Millis()),
            figure(f -> f.creates().p50Millis(), true), "", "");
        row("create p99 (ms)", postgres == null ? NONE : millis(postgres.p99Millis()),
            figure(f -> f.creates().p99Millis(), true), "≤ 50 ms", yesNo(verity.creates().p99Millis() <= 50));
        row("refused or failed during the burst", NONE,
            figure(f -> f.creates().refused() + f.creates().socketErrors(), false), "0",
            yesNo(verity.creates().refused() + verity.creates().socketErrors() == 0));
        row("read model behind at the end (events)", NONE, figure(f -> f.behindAtEnd(), false), "", "");
        row("time to catch up (s)", NONE, figure(SystemFigures::catchUpSeconds, true), "", "");
        row("CPU per create, burst through catch-up (ms, all processes)", NONE,
            figure(f -> totalPerRequest(f.createCpu(), f.creates()), true), "", "");
        row("… by process (ms per create)", NONE, byProcess(stock) + " | " + byProcess(verity) + " | " + NONE, "",
            "");
        row("machine busy, burst through catch-up (% of all cores)", NONE,
            figure(f -> f.createCpu().machineBusy() * 100, false), "", "");
        double freshFirst = verity.probes().freshnessFirstHalf().percentileMillis(99);
        double freshSecond = verity.probes().freshnessSecondHalf().percentileMillis(99);
        row("freshness: ack → visible p99 (ms)", NONE, figure(f -> f.probes().freshness().percentileMillis(99), true),
            "≤ 100 ms", yesNo(verity.probes().freshness().percentileMillis(99) <= 100));
        row("freshness p99, first half / second half (ms)", NONE, halves(stock) + " | " + halves(verity) + " | "
            + NONE, "not growing", yesNo(freshFirst <= 100 && freshSecond <= 100));
        row("GET /tasks/{id} p99 during the burst (ms)", NONE,
            figure(f -> f.probes().reads().percentileMillis(99), true), "≤ 10 ms",
            yesNo(verity.probes().reads().percentileMillis(99) <= 10));
        double replay = verity.replay().eventsPerSecond();
        row("full replay (events/s)", NONE, figure(f -> f.replay().eventsPerSecond(), false),
            "≥ 30,000 and ≥ 50 × stock",
            yesNo(replay >= 30_000 && (stock == null || replay >= 50 * stock.replay().eventsPerSecond())));
        row("lifecycle mix (commands/s)", NONE, figure(f -> f.lifecycle().requestsPerSecond(), false),
            "≥ 1.5 × stock", stock == null ? NONE
                    : yesNo(verity.lifecycle().requestsPerSecond() >= 1.5 * stock.lifecycle().requestsPerSecond()));
        row("lifecycles completed/s (stock: create, start, complete)", NONE,
            figure(f -> f.lifecycle().lifecyclesPerSecond(), false), "", "");
        row("lifecycle p99 (ms)", NONE, figure(f -> f.lifecycle().p99Millis(), true), "", "");
        row("CPU per lifecycle command, burst through catch-up (ms, all processes)", NONE,
            figure(f -> totalPerRequest(f.lifecycleCpu(), f.lifecycle()), true), "", "");
        row("… by process (ms per command)", NONE, byProcess(stock, SystemFigures::lifecycleCpu, SystemFigures::lifecycle)
            + " | " + byProcess(verity, SystemFigures::lifecycleCpu, SystemFigures::lifecycle) + " | " + NONE, "", "");
        boolean memoryHolds = verity.peakRssKilobytes().values().stream().allMatch(kb -> kb <= MEMORY_GOAL_KILOBYTES);
        row("peak RSS (MB)", NONE, (stock == null ? NONE : rss(stock.peakRssKilobytes())) + " | "
            + rss(verity.peakRssKilobytes()) + " | " + NONE, "≤ 512 MB each app", yesNo(memoryHolds));

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n== Platform benchmark, %s: %d clients, %d s bursts, %d cores ==%n%n",
                                 Instant.now(), clients, seconds, Runtime.getRuntime().availableProcessors()));
        out.append("| figure | raw PostgreSQL | stock Axon | Verity, both apps | Verity ÷ stock | goal | holds |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        for (String[] row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        if (slices != null) {
            renderSlices();
            out.append("\nVerity's other slices, same clients and bursts, against stock Axon's task figures above:\n\n");
            out.append("| figure | stock Axon (tasks) | Verity | Verity ÷ stock | goal | holds |\n");
            out.append("|---|---|---|---|---|---|\n");
            for (String[] row : sliceRows) {
                out.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
        }
        return out.toString();
    }

    /** The executions and obligations slices, each held to the goal of the matching task figure. */
    private void renderSlices() {
        Double stockCreates = stock == null ? null : stock.creates().requestsPerSecond();
        Double stockLifecycle = stock == null ? null : stock.lifecycle().requestsPerSecond();
        sliceRow("execution creates/s", stockCreates, slices.executionCreates().requestsPerSecond(), 2);
        sliceLatency("execution create p99 (ms)", slices.executionCreates());
        double executionFreshness = slices.executionProbes().freshness().percentileMillis(99);
        sliceRows.add(new String[] {"execution freshness: ack → visible p99 (ms)", NONE, millis(executionFreshness),
                                    NONE, "≤ 100 ms", yesNo(executionFreshness <= 100)});
        CpuMeter.Usage executionCpu = slices.executionCreateCpu();
        sliceRows.add(new String[] {"CPU per execution create, burst through catch-up (ms, all processes)",
                                    stock == null ? NONE : millis(totalPerRequest(stock.createCpu(), stock.creates())),
                                    millis(totalPerRequest(executionCpu, slices.executionCreates())), NONE, "", ""});
        sliceRows.add(new String[] {"… by process (ms per create)", NONE,
                                    byProcess(executionCpu, slices.executionCreates()), NONE, "", ""});
        double executionReads = slices.executionProbes().reads().percentileMillis(99);
        sliceRows.add(new String[] {"GET /executions/{id} p99 during the burst (ms)", NONE, millis(executionReads),
                                    NONE, "≤ 10 ms", yesNo(executionReads <= 10)});
        sliceRow("execution lifecycle mix (create, start, complete; commands/s)", stockLifecycle,
                 slices.executionLifecycle().requestsPerSecond(), 1.5);
        sliceLatency("execution lifecycle p99 (ms)", slices.executionLifecycle());
        sliceRow("obligation commands/s (start a session, add 50 obligations)", stockCreates,
                 slices.obligations().requestsPerSecond(), 2);
        sliceLatency("obligation command p99 (ms)", slices.obligations());
        long refused = slices.executionCreates().refused() + slices.executionLifecycle().refused()
                       + slices.obligations().refused() + slices.executionCreates().socketErrors()
                       + slices.executionLifecycle().socketErrors() + slices.obligations().socketErrors();
        sliceRows.add(new String[] {"refused or failed in these bursts", NONE, number(refused), NONE, "0",
                                    yesNo(refused == 0)});
        sliceRows.add(new String[] {"executions and sessions read models: catch-up after the bursts (s)", NONE,
                                    millis(slices.catchUpSeconds()), NONE, "", ""});
    }

    private void sliceRow(String name, Double stockFigure, double mine, double factor) {
        String ratio = stockFigure == null || stockFigure == 0 ? NONE
                : String.format(Locale.ROOT, "%.2f ×", mine / stockFigure);
        String goal = "≥ " + (factor == Math.rint(factor) ? String.valueOf((int) factor) : String.valueOf(factor))
                      + " × stock";
        sliceRows.add(new String[] {name, stockFigure == null ? NONE : number(stockFigure), number(mine), ratio, goal,
                                    stockFigure == null ? NONE : yesNo(mine >= factor * stockFigure)});
    }

    private void sliceLatency(String name, Wrk.Result result) {
        sliceRows.add(new String[] {name, NONE, millis(result.p99Millis()), NONE, "≤ 50 ms",
                                    yesNo(result.p99Millis() <= 50)});
    }

    /** "stock | verity | ratio" for one figure. */
    private String figure(ToDoubleFunction<SystemFigures> value, boolean decimals) {
        double mine = value.applyAsDouble(verity);
        if (stock == null) {
            return NONE + " | " + format(mine, decimals) + " | " + NONE;
        }
        double theirs = value.applyAsDouble(stock);
        String ratio = theirs == 0 ? NONE : String.format(Locale.ROOT, "%.2f ×", mine / theirs);
        return format(theirs, decimals) + " | " + format(mine, decimals) + " | " + ratio;
    }

    private void row(String name, String postgresFigure, String systems, String goal, String holds) {
        rows.add(new String[] {name, postgresFigure, systems, goal, holds});
    }

    private static String halves(SystemFigures figures) {
        if (figures == null) {
            return NONE;
        }
        return millis(figures.probes().freshnessFirstHalf().percentileMillis(99)) + " / "
                + millis(figures.probes().freshnessSecondHalf().percentileMillis(99));
    }

    /** All CPU the burst and its catch-up took, per request the burst made. */
    private static double totalPerRequest(CpuMeter.Usage usage, Wrk.Result burst) {
        return burst.requests() == 0 ? Double.NaN
                : usage.millis().values().stream().mapToDouble(Double::doubleValue).sum() / burst.requests();
    }

    private static String byProcess(SystemFigures figures) {
        return byProcess(figures, SystemFigures::createCpu, SystemFigures::creates);
    }

    private static String byProcess(SystemFigures figures, Function<SystemFigures, CpuMeter.Usage> usage,
                                    Function<SystemFigures, Wrk.Result> burst) {
        return figures == null ? NONE : byProcess(usage.apply(figures), burst.apply(figures));
    }

    private static String byProcess(CpuMeter.Usage usage, Wrk.Result creates) {
        List<String> parts = new ArrayList<>();
        usage.perUnit(creates.requests()).forEach((name, millis) -> parts.add(name + " " + millis(millis)));
        return String.join(", ", parts);
    }

    private static String rss(Map<String, Long> kilobytes) {
        List<String> parts = new ArrayList<>();
        kilobytes.forEach((name, kb) -> parts.add(name + " " + (kb < 0 ? "n/a" : kb / 1024)));
        return String.join(", ", parts);
    }

    private static String format(double value, boolean decimals) {
        return decimals ? millis(value) : number(value);
    }

    private static String number(double value) {
        return Double.isNaN(value) ? NONE : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? NONE : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String yesNo(boolean holds) {
        return holds ? "yes" : "**no**";
    }
}
