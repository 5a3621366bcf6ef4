package dev.verity.query.e2e;

import java.util.Map;

/**
 * Everything one system showed in the benchmark, in the order the benchmark measured it, after how
 * fast the host was just before ({@link HostSpeed}).
 */
record SystemFigures(double hostReferenceMillis, Wrk.Result creates, BurstProbes.Figures probes, long behindAtEnd,
                     double catchUpSeconds, CpuMeter.Usage createCpu, BenchSystem.Replay replay, Wrk.Result lifecycle,
                     CpuMeter.Usage lifecycleCpu, Map<String, Long> peakRssKilobytes) {
}
