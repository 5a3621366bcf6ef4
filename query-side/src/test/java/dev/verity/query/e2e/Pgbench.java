package dev.verity.query.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Raw PostgreSQL's figure: pgbench appending one event-shaped row per transaction, at the same
 * concurrency as the HTTP load, on a fresh database of its own. Latencies come from pgbench's
 * per-transaction log (-l), so its p50 and p99 are computed like the others.
 */
final class Pgbench {

    record Result(double transactionsPerSecond, double p50Millis, double p99Millis) {
    }

    private static final Pattern TPS = Pattern.compile("tps = ([\\d.]+)");

    private Pgbench() {
    }

    static Result run(String jdbcUrl, Path script, int clients, int seconds, Path workDirectory) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "verity", "verity");
             Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS bench_event (
                        global_index bigserial CONSTRAINT bench_event_pk PRIMARY KEY,
                        aggregate_id uuid NOT NULL,
                        sequence_number bigint NOT NULL,
                        event_type text NOT NULL,
                        payload jsonb NOT NULL,
                        CONSTRAINT bench_event_aggregate_sequence_uq UNIQUE (aggregate_id, sequence_number))""");
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        Files.createDirectories(workDirectory);
        try (Stream<Path> old = Files.list(workDirectory)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        ProcessBuilder builder = new ProcessBuilder("pgbench", "-n", "-h", uri.getHost(),
                                                    "-p", String.valueOf(uri.getPort() < 0 ? 5432 : uri.getPort()),
                                                    "-U", "verity", "-c", String.valueOf(clients), "-j", "2",
                                                    "-T", String.valueOf(seconds), "-f", script.toAbsolutePath().toString(),
                                                    "-l", "--log-prefix", workDirectory.resolve("txn").toString(),
                                                    uri.getPath().substring(1))
                .redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", "verity");
        Process pgbench = builder.start();
        String output = new String(pgbench.getInputStream().readAllBytes());
        if (pgbench.waitFor() != 0) {
            throw new IllegalStateException("pgbench failed:\n" + output);
        }
        Matcher tps = TPS.matcher(output);
        if (!tps.find()) {
            throw new IllegalStateException("pgbench output without tps:\n" + output);
        }
        Latencies latencies = new Latencies();
        try (Stream<Path> logs = Files.list(workDirectory)) {
            for (Path log : logs.toList()) {
                // client_id transaction_no time_us script_no epoch epoch_us
                for (String line : Files.readAllLines(log)) {
                    List<String> fields = List.of(line.split(" "));
                    latencies.add(Long.parseLong(fields.get(2)) * 1000);
                }
            }
        }
        return new Result(Double.parseDouble(tps.group(1)), latencies.percentileMillis(50),
                          latencies.percentileMillis(99));
    }

    static boolean installed() {
        try {
            return new ProcessBuilder("pgbench", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
