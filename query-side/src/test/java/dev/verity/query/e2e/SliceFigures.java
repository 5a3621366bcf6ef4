package dev.verity.query.e2e;

/**
 * Verity's executions and obligations slices in the benchmark: execution creates (with the
 * freshness and read probes that ran during them, and the CPU they took
 * through their catch-up), execution lifecycles (create, start,
 * complete), obligations added to sessions, and the seconds both read models took to catch up
 * after the last burst.
 */
record SliceFigures(Wrk.Result executionCreates, BurstProbes.Figures executionProbes,
                    CpuMeter.Usage executionCreateCpu, Wrk.Result executionLifecycle,
                    Wrk.Result obligations, double catchUpSeconds) {
}
