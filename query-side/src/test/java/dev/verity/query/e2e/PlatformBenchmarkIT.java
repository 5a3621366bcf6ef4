package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints throughput, latency, read-your-writes lag and memory of the running platform. Figures,
 * not assertions: a benchmark that fails on a slow machine says nothing. Runs only when asked
 * ({@code ./verity bench}, i.e. {@code -Dverity.bench=true}); sizes via {@code -Dverity.bench.commands}
 * and {@code -Dverity.bench.clients}.
 */
@EnabledIfSystemProperty(named = "verity.bench", matches = "true")
class PlatformBenchmarkIT {

    private final int commands = Integer.getInteger("verity.bench.commands", 2000);
    private final int clients = Integer.getInteger("verity.bench.clients", 8);

    @Test
    void printFigures() throws Exception {
        try (RunningPlatform platform = RunningPlatform.start()) {
            String token = TestTokens.token(RunningPlatform.SECRET, UUID.randomUUID(), "read write",
                                            Instant.now().plusSeconds(3600));
            createTasks(platform, token, 200, clients);

            long started = System.nanoTime();
            List<Long> createLatencies = createTasks(platform, token, commands, clients);
            double seconds = (System.nanoTime() - started) / 1e9;

            List<Long> readYourWrites = readYourWritesLag(platform, token, 200);

            System.out.printf("%n== Verity benchmark (%d commands, %d clients, %d cores) ==%n", commands, clients,
                              Runtime.getRuntime().availableProcessors());
            System.out.printf("create task      %8.0f commands/s   p50 %6.1f ms   p95 %6.1f ms   p99 %6.1f ms%n",
                              commands / seconds, percentile(createLatencies, 50), percentile(createLatencies, 95),
                              percentile(createLatencies, 99));
            System.out.printf("read-your-writes command ack -> visible in query API: p50 %6.1f ms   p95 %6.1f ms%n",
                              percentile(readYourWrites, 50), percentile(readYourWrites, 95));
            List<Long> pids = platform.pids();
            System.out.printf("resident memory  command-side %s   query-side %s%n", rss(pids.get(0)), rss(pids.get(1)));
        }
    }

    private static List<Long> createTasks(RunningPlatform platform, String token, int count, int clients)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    RunningPlatform.Reply reply = platform.command(token, "/tasks", Map.of(
                            "projectId", UUID.randomUUID(), "type", "PROVIDE", "title", "bench " + n), Map.of());
                    latencies.add(System.nanoTime() - start);
                    if (reply.status() != 201) {
                        failures.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + count + " commands failed");
        }
        return latencies;
    }

    /** Time from a command's acknowledgement until a plain GET (no minVersion) sees the row. */
    private static List<Long> readYourWritesLag(RunningPlatform platform, String token, int samples) throws Exception {
        List<Long> lags = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            RunningPlatform.Reply created = platform.command(token, "/tasks", Map.of(
                    "projectId", UUID.randomUUID(), "type", "REVIEW", "title", "lag " + i), Map.of());
            long acknowledged = System.nanoTime();
            String path = "/tasks/" + created.body().get("id").asString();
            while (platform.query(token, path).status() != 200) {
                Thread.onSpinWait();
            }
            lags.add(System.nanoTime() - acknowledged);
        }
        return lags;
    }

    private static double percentile(List<Long> nanos, int percentile) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(index, 0)) / 1e6;
    }

    private static String rss(long pid) throws Exception {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        if (!Files.exists(status)) {
            return "n/a";
        }
        return Files.readAllLines(status).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> line.replace("VmRSS:", "").trim())
                    .findFirst().orElse("n/a");
    }
}
