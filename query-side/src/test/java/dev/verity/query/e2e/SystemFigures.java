package dev.verity.query.e2e;

import java.util.Map;

/** Everything one system showed in the benchmark, in the order the benchmark measured it. */
record SystemFigures(Wrk.Result creates, BurstProbes.Figures probes, long behindAtEnd, double catchUpSeconds,
                     CpuMeter.Usage createCpu,
                     BenchSystem.Replay replay, Wrk.Result lifecycle, Map<String, Long> peakRssKilobytes) {
}
