package dev.verity.events.common;

/** Who caused an event: a person, an agent, or the platform itself (process managers). */
public enum ActorType implements Wire {
    USER, AGENT, SYSTEM;

    @Override
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
