package dev.verity.query.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples in nanoseconds, thread-safe to add to, read as percentiles in milliseconds. */
final class Latencies {

    private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());

    void add(long sampleNanos) {
        nanos.add(sampleNanos);
    }

    int count() {
        return nanos.size();
    }

    /** The percentile in milliseconds, or NaN without samples. */
    double percentileMillis(double percentile) {
        List<Long> sorted;
        synchronized (nanos) {
            sorted = new ArrayList<>(nanos);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.min(sorted.size() - 1, Math.max(index, 0))) / 1e6;
    }
}
