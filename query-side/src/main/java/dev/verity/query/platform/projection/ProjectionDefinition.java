package dev.verity.query.platform.projection;

import java.util.List;

/**
 * What the platform needs to know about one projection to rebuild, verify or replay it: its
 * name (the Axon processing group of its live instance), the read-model tables it owns, and how
 * to make another instance of it that writes through a given {@link ReadModelWriter}. Each
 * projection declares one of these as a Spring bean; {@link Projections} collects them.
 */
public interface ProjectionDefinition {

    /** The processing group, e.g. {@code tasks}; also the name operators use in the admin API. */
    String name();

    /** Tables this projection owns in {@code read_model}, parents before children. */
    List<String> tables();

    /** A fresh instance of the projection's event handlers writing through {@code writer}. */
    Object newInstance(ReadModelWriter writer);
}
