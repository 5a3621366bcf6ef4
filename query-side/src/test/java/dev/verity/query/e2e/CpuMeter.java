package dev.verity.query.e2e;

import dev.verity.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a burst's CPU went, read from Linux's /proc: each app process, PostgreSQL (the postmaster,
 * its live children, and the children it has reaped, which it keeps in its own cutime), and the
 * whole machine, whose remainder ({@link #OTHER}) is wrk, the probes and this JVM. Issue 10's throughput goals are a
 * CPU budget on 2 shared cores, so "ms of CPU per create, by process" says which process to work
 * on; a profile of one JVM cannot say how much PostgreSQL spends for it.
 *
 * <p>Times are in clock ticks of USER_HZ, which is 100 on every Linux ABI the JDK runs on.
 */
final class CpuMeter {

    static final String POSTGRES = "PostgreSQL";
    static final String OTHER = "rest";
    private static final double MILLIS_PER_TICK = 10.0;

    private final long postmaster;

    private CpuMeter(long postmaster) {
        this.postmaster = postmaster;
    }

    /** A meter for the PostgreSQL server the test database lives on (the benchmark runs on that host). */
    static CpuMeter forTestDatabase() throws SQLException, IOException {
        TestDatabase.Connection database = TestDatabase.connection();
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(),
                                                                 database.password());
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return new CpuMeter(fields(row.getLong(1)).parent());
        }
    }

    /** CPU ticks so far, per process of {@code apps}, for PostgreSQL and for the machine. */
    private record Snapshot(Map<String, Long> ticks, long machineBusy, long machineTotal) {
    }

    /** CPU between two snapshots, in ms per process and in all; {@code machineBusy} is a share (0..1) of all cores. */
    record Usage(Map<String, Double> millis, double machineBusy, double wallSeconds) {

        /** The same, per unit of work ({@code count} creates): ms of CPU each. */
        Map<String, Double> perUnit(long count) {
            Map<String, Double> each = new LinkedHashMap<>();
            millis.forEach((name, total) -> each.put(name, count == 0 ? Double.NaN : total / count));
            return each;
        }
    }

    /** A measurement of {@code apps} (and PostgreSQL and the machine) from now until {@link Span#stop}. */
    Span start(Map<String, Long> apps) throws IOException {
        return new Span(apps, snapshot(apps), System.nanoTime());
    }

    /** CPU counted from {@link #start} on. */
    final class Span {

        private final Map<String, Long> apps;
        private final Snapshot before;
        private final long startedNanos;

        private Span(Map<String, Long> apps, Snapshot before, long startedNanos) {
            this.apps = apps;
            this.before = before;
            this.startedNanos = startedNanos;
        }

        Usage stop() throws IOException {
            return since(before, apps, startedNanos);
        }
    }

    private Snapshot snapshot(Map<String, Long> apps) throws IOException {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (Map.Entry<String, Long> app : apps.entrySet()) {
            ticks.put(app.getKey(), fields(app.getValue()).ownTicks());
        }
        ticks.put(POSTGRES, postgresTicks());
        long[] machine = machineTicks();
        return new Snapshot(ticks, machine[0], machine[1]);
    }

    /** From {@code before} to now, with the machine's remainder as {@link #OTHER}. */
    private Usage since(Snapshot before, Map<String, Long> apps, long startedNanos) throws IOException {
        Snapshot now = snapshot(apps);
        Map<String, Double> millis = new LinkedHashMap<>();
        long accounted = 0;
        for (Map.Entry<String, Long> process : now.ticks().entrySet()) {
            long ticks = process.getValue() - before.ticks().getOrDefault(process.getKey(), 0L);
            accounted += ticks;
            millis.put(process.getKey(), ticks * MILLIS_PER_TICK);
        }
        long busy = now.machineBusy() - before.machineBusy();
        millis.put(OTHER, Math.max(0, busy - accounted) * MILLIS_PER_TICK);
        long total = now.machineTotal() - before.machineTotal();
        return new Usage(millis, total == 0 ? Double.NaN : (double) busy / total,
                         (System.nanoTime() - startedNanos) / 1e9);
    }

    /** The postmaster's own ticks and its reaped children's, plus every live child's. */
    private long postgresTicks() throws IOException {
        long ticks = fields(postmaster).ownAndReapedTicks();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    Stat stat = fields(Long.parseLong(process.getFileName().toString()));
                    if (stat.parent() == postmaster) {
                        ticks += stat.ownTicks();
                    }
                } catch (NoSuchFileException exited) {
                    // A backend that ended between the listing and the read: the postmaster's cutime has it.
                }
            }
        }
        return ticks;
    }

    /** Busy and total ticks of all cores, from /proc/stat's first line. */
    private static long[] machineTicks() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int field = 1; field < cpu.length && field <= 8; field++) {
            long value = Long.parseLong(cpu[field]);
            total += value;
            if (field == 4 || field == 5) {
                idle += value; // idle and iowait
            }
        }
        return new long[] {total - idle, total};
    }

    /** The fields of /proc/[pid]/stat this needs. */
    private record Stat(long parent, long user, long system, long childrenUser, long childrenSystem) {

        long ownTicks() {
            return user + system;
        }

        long ownAndReapedTicks() {
            return user + system + childrenUser + childrenSystem;
        }
    }

    private static Stat fields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // The command name sits in parentheses and may hold spaces and parentheses: fields start after the last ')'.
        List<String> after = List.of(stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+"));
        // after.get(0) is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
        return new Stat(Long.parseLong(after.get(1)), Long.parseLong(after.get(11)), Long.parseLong(after.get(12)),
                        Long.parseLong(after.get(13)), Long.parseLong(after.get(14)));
    }
}
