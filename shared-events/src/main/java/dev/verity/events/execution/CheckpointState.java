package dev.verity.events.execution;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Seed 001 {@code checkpoint_snapshots.state}. {@code tokensUsed} and {@code costIncurred} are the
 * execution's recorded totals when the checkpoint was taken, filled in by the aggregate, never by
 * the client: usage is a fact of the execution, not something a checkpoint can claim.
 */
public record CheckpointState(List<String> completedSteps,
                              List<String> pendingSteps,
                              Map<String, Object> intermediateResults,
                              Map<String, Object> agentStates,
                              long tokensUsed,
                              BigDecimal costIncurred) {
}
