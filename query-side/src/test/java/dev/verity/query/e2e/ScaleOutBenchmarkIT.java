package dev.verity.query.e2e;

import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Prints how fast 1, 2 and 3 query nodes on one database apply a backlog of events that two
 * command nodes wrote while the projections were paused, and how long the survivors take to pick
 * up a killed node's segments. Figures, not assertions, run by {@code ./verity bench}
 * ({@code -Dverity.bench=true}); the backlog per node count is what {@code -Dverity.bench.clients}
 * clients write in {@code -Dverity.bench.scale-seconds}.
 */
@EnabledIfSystemProperty(named = "verity.bench", matches = "true")
class ScaleOutBenchmarkIT {

    private final int clients = Integer.getInteger("verity.bench.clients", 8);
    private final Duration window = Duration.ofSeconds(Integer.getInteger("verity.bench.scale-seconds", 10));

    @Test
    void printFigures() throws Exception {
        try (RunningPlatform platform = RunningPlatform.start()) {
            RunningPlatform.Node secondCommand = platform.startCommandNode("bench-command-side-2");
            List<String> commandApis = List.of(platform.commandApi, secondCommand.api());
            String token = TestTokens.token(RunningPlatform.SECRET, UUID.randomUUID(), "read write",
                                            Instant.now().plusSeconds(3600));
            List<String> queryNodes = new ArrayList<>(List.of(platform.pids().get(1) + "@"));
            List<String> figures = new ArrayList<>();
            RunningPlatform.Node last = null;
            for (int nodes = 1; nodes <= 3; nodes++) {
                if (nodes > 1) {
                    last = platform.startQueryNode("bench-query-side-" + nodes);
                    queryNodes.add(last.ownerPrefix());
                }
                SegmentOwners.awaitSplit(queryNodes, Duration.ofSeconds(30));
                figures.add(String.format("%d query node%s  %7.0f events/s applied from a backlog (written by %d"
                                          + " clients on 2 command nodes in %d s)", nodes, nodes == 1 ? " " : "s",
                                          eventsPerSecond(platform, commandApis, token), clients,
                                          window.toSeconds()));
            }
            long killed = System.nanoTime();
            String dead = last.ownerPrefix();
            platform.kill(last);
            SegmentOwners.awaitOwners(owners -> owners.stream().allMatch(owner -> owner != null
                                                                                  && !owner.startsWith(dead)),
                                      Duration.ofSeconds(60));
            double takeover = (System.nanoTime() - killed) / 1e9;

            System.out.printf("%n== Verity scale-out (%d cores) ==%n", Runtime.getRuntime().availableProcessors());
            figures.forEach(System.out::println);
            System.out.printf("takeover         kill -9 of a query node: its segments claimed by the others after"
                              + " %.1f s%n", takeover);
        }
    }

    /**
     * How fast the query nodes apply a backlog: processors paused on every node, the clients write
     * for the window, then the processors resume; events per second until the read model has them all.
     */
    private double eventsPerSecond(RunningPlatform platform, List<String> commandApis, String token) throws Exception {
        SegmentOwners.pauseAll(Duration.ofSeconds(30));
        TaskLoad load;
        try {
            load = new TaskLoad(platform, commandApis, token, clients, window);
            load.start();
            load.stop();
        } finally {
            SegmentOwners.resumeAll();
        }
        long resumed = System.nanoTime();
        TaskLoad.awaitReadModel(load.acknowledged, Duration.ofSeconds(120));
        double seconds = (System.nanoTime() - resumed) / 1e9;
        long events = load.acknowledged.values().stream().mapToLong(version -> version + 1).sum();
        return events / seconds;
    }
}
