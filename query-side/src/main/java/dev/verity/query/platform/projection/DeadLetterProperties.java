package dev.verity.query.platform.projection;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.Map;

/**
 * {@code verity.projections.dead-letters.*}: how much each projection's dead-letter queue may
 * hold. A full queue cannot park the next failing record, so its processor retries that batch
 * until room is made: the cap bounds how much one tenant's poisoned records can park before
 * processing stops for everyone, and is set far above Axon's default of 1,024 sequences.
 *
 * @param maxSequences    records (aggregates) with parked events, per projection
 * @param maxSequenceSize parked events of one record
 * @param overrides       per projection name, limits that replace these two
 */
@ConfigurationProperties("verity.projections.dead-letters")
public record DeadLetterProperties(Integer maxSequences, Integer maxSequenceSize, Map<String, Limits> overrides) {

    public static final int DEFAULT_MAX_SEQUENCES = 100_000;
    public static final int DEFAULT_MAX_SEQUENCE_SIZE = 10_000;

    /** One projection's caps. */
    public record Limits(Integer maxSequences, Integer maxSequenceSize) {
    }

    public DeadLetterProperties {
        maxSequences = positive(maxSequences == null ? DEFAULT_MAX_SEQUENCES : maxSequences, "max-sequences");
        maxSequenceSize = positive(maxSequenceSize == null ? DEFAULT_MAX_SEQUENCE_SIZE : maxSequenceSize,
                                   "max-sequence-size");
        overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
    }

    /** The caps that apply to {@code projection}: its override where set, else the defaults. */
    public Limits limitsFor(String projection) {
        Limits override = overrides.get(projection);
        return new Limits(override == null || override.maxSequences() == null
                          ? maxSequences : positive(override.maxSequences(), "max-sequences"),
                          override == null || override.maxSequenceSize() == null
                          ? maxSequenceSize : positive(override.maxSequenceSize(), "max-sequence-size"));
    }

    private static int positive(int value, String name) {
        if (value < 1) {
            throw new IllegalStateException("verity.projections.dead-letters." + name + " must be at least 1");
        }
        return value;
    }
}
