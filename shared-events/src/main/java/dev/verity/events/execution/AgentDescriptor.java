package dev.verity.events.execution;

/** One entry of seed 001 {@code agent_executor_state.agents}: {@code [{name, role, status}]}. */
public record AgentDescriptor(String name, String role, String status) {
}
