package dev.verity.query.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the wrk load generator (Debian's, installed by {@code scripts/provision-bench.sh}) with a
 * Lua script against one system and reads its summary: requests per second, the latency
 * percentiles wrk measured (its --latency distribution), refused answers and socket errors.
 */
final class Wrk {

    record Result(long requests, double seconds, double requestsPerSecond, double p50Millis, double p99Millis,
                  long refused, long socketErrors, long lifecyclesCompleted, String output) {

        double lifecyclesPerSecond() {
            return lifecyclesCompleted / seconds;
        }
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h)");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([\\d.]+)(us|ms|s|m)\\s*$",
                                                              Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern LIFECYCLES = Pattern.compile("(?:lifecycles completed|obligations added): (\\d+)");

    private Wrk() {
    }

    static Result run(Path script, String url, int threads, int connections, int seconds, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                                                       "--timeout", "30s", "--latency", "-s", script.toString(), url));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process wrk = builder.start();
        String output = new String(wrk.getInputStream().readAllBytes());
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        return parse(output);
    }

    static Result parse(String output) {
        Matcher requests = find(REQUESTS, output);
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            double millis = toMillis(Double.parseDouble(percentile.group(2)), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = millis;
            } else {
                p99 = millis;
            }
        }
        long socketErrors = 0;
        Matcher socket = SOCKET.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                socketErrors += Long.parseLong(socket.group(group));
            }
        }
        Matcher refused = NON_2XX.matcher(output);
        Matcher lifecycles = LIFECYCLES.matcher(output);
        return new Result(Long.parseLong(requests.group(1)),
                          toMillis(Double.parseDouble(requests.group(2)), requests.group(3)) / 1000,
                          Double.parseDouble(find(RATE, output).group(1)), p50, p99,
                          refused.find() ? Long.parseLong(refused.group(1)) : 0, socketErrors,
                          lifecycles.find() ? Long.parseLong(lifecycles.group(1)) : 0, output);
    }

    private static Matcher find(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("wrk output without " + pattern + ":\n" + output);
        }
        return matcher;
    }

    private static double toMillis(double value, String unit) {
        return switch (unit) {
            case "us" -> value / 1000;
            case "ms" -> value;
            case "s" -> value * 1000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
        };
    }
}
