package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.DeadLetterProperties;
import dev.verity.query.platform.projection.DeadLetterProperties.Limits;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.projection.SafeCauses;
import dev.verity.query.platform.security.Reach;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What operators see of each projection.
 * <p>
 * {@code state} is, in this order of precedence:
 * <ul>
 * <li>{@code rebuilding}: a rebuild of it is replaying or swapping;</li>
 * <li>{@code stopped}: its live processor is not running (or there is none);</li>
 * <li>{@code failing}: the processor is running but reports an error on a segment or as a whole
 *     (it is retrying a batch that failed outside any one handler, such as a lost database
 *     connection), its dead-letter queue is full (the next record that fails cannot be parked and
 *     stops the processor), or the queue holds at least one parked event within the caller's reach;</li>
 * <li>{@code running}: none of the above.</li>
 * </ul>
 * {@code position} is the lowest global index its segments have reached (null before the
 * processor first ran) and {@code lag} is {@code head - position}: an upper bound on the events
 * still to apply, since global indexes skipped by rolled-back appends count too.
 * <p>
 * {@code deadLetters} counts the letters within the caller's {@link Reach} (an admin's own
 * tenant's). {@code error} names exception classes and SQLStates only, never a message, so it is
 * safe to show every tenant's admin; a full queue is reported as such, with the property that
 * sets its cap. So is a failed rebuild's error, whose messages only an operator sees.
 */
@Component
public class ProjectionStatuses {

    /** One projection as {@code GET /api/v1/admin/projections} lists it. */
    public record ProjectionStatus(String name, String state, List<String> tables, Long position, long head, long lag,
                            int segments, long deadLetters, String error, RebuildProgress.Status rebuild) {
    }

    private final Projections projections;
    private final LiveProcessors live;
    private final ProcessorTokens tokens;
    private final EventStoreHead head;
    private final Rebuilds rebuilds;
    private final JdbcTemplate jdbc;
    private final DeadLetterProperties deadLetterLimits;

    /** How full a projection's queue is: parked sequences, and events in its longest one. */
    private record Fill(long sequences, long largestSequence) {
    }

    ProjectionStatuses(Projections projections, LiveProcessors live, ProcessorTokens tokens, EventStoreHead head,
                       Rebuilds rebuilds, JdbcTemplate jdbc, DeadLetterProperties deadLetterLimits) {
        this.deadLetterLimits = deadLetterLimits;
        this.projections = projections;
        this.live = live;
        this.tokens = tokens;
        this.head = head;
        this.rebuilds = rebuilds;
        this.jdbc = jdbc;
    }

    List<ProjectionStatus> all(Reach reach) {
        return all(List.of(reach)).get(reach);
    }

    /**
     * Every projection as each of {@code reaches} sees it, for the live stream: what all reaches
     * share (head, tokens, processors, queue fill) is read once, dead letters in one grouped query.
     */
    public Map<Reach, List<ProjectionStatus>> all(Collection<Reach> reaches) {
        long currentHead = head.head();
        Map<String, Fill> fills = fills();
        Map<String, Map<UUID, Long>> deadLetters = deadLetterCountsByTenant();
        List<Facts> facts = projections.all().stream().map(projection -> facts(projection, fills)).toList();
        Map<Reach, List<ProjectionStatus>> statuses = new LinkedHashMap<>();
        for (Reach reach : reaches) {
            statuses.put(reach, facts.stream()
                                     .map(f -> status(f, currentHead, parked(deadLetters, f.projection().name(), reach),
                                                      reach))
                                     .toList());
        }
        return statuses;
    }

    ProjectionStatus of(ProjectionDefinition projection, Reach reach) {
        return status(facts(projection, fills()), head.head(),
                      parked(deadLetterCountsByTenant(), projection.name(), reach), reach);
    }

    /** What every caller sees alike of one projection. */
    private record Facts(ProjectionDefinition projection, int segments, OptionalLong position,
                         Optional<StreamingEventProcessor> processor, String error,
                         Optional<RebuildProgress> rebuild) {
    }

    private Facts facts(ProjectionDefinition projection, Map<String, Fill> fills) {
        String name = projection.name();
        Optional<StreamingEventProcessor> processor = live.find(name);
        String error = overflow(name, fills.get(name))
                .or(() -> processor.flatMap(ProjectionStatuses::error))
                .orElse(null);
        return new Facts(projection, tokens.read(live.processorName(name)).size(), live.position(name), processor,
                         error, rebuilds.latest(name));
    }

    private static ProjectionStatus status(Facts facts, long currentHead, long parked, Reach reach) {
        Optional<RebuildProgress> rebuild = facts.rebuild();
        OptionalLong position = facts.position();
        String state;
        if (rebuild.map(r -> r.state().active()).orElse(false)) {
            state = "rebuilding";
        } else if (facts.processor().map(p -> !p.isRunning()).orElse(true)) {
            state = "stopped";
        } else if (facts.error() != null || parked > 0) {
            state = "failing";
        } else {
            state = "running";
        }
        return new ProjectionStatus(facts.projection().name(), state, facts.projection().tables(),
                                    position.isPresent() ? position.getAsLong() : null, currentHead,
                                    Math.max(0, currentHead - position.orElse(0)), facts.segments(), parked,
                                    facts.error(), rebuild.map(r -> r.status(reach.tenant().isEmpty())).orElse(null));
    }

    /** Axon's queue throws DeadLetterQueueOverflowException on the next failure once either cap is reached. */
    private Optional<String> overflow(String projection, Fill fill) {
        if (fill == null) {
            return Optional.empty();
        }
        Limits limits = deadLetterLimits.limitsFor(projection);
        if (fill.sequences() >= limits.maxSequences()) {
            return Optional.of("DeadLetterQueueOverflowException: the dead-letter queue is full, " + fill.sequences()
                               + " records parked of at most " + limits.maxSequences()
                               + " (verity.projections.dead-letters.max-sequences); an event of any other record"
                               + " that fails cannot be parked and stops this projection until letters are retried"
                               + " or discarded");
        }
        if (fill.largestSequence() >= limits.maxSequenceSize()) {
            return Optional.of("DeadLetterQueueOverflowException: a parked record holds " + fill.largestSequence()
                               + " events, at most " + limits.maxSequenceSize()
                               + " (verity.projections.dead-letters.max-sequence-size); its next event cannot be"
                               + " parked and stops this projection until its letters are retried or discarded");
        }
        return Optional.empty();
    }

    private static Optional<String> error(StreamingEventProcessor processor) {
        Optional<String> segmentError = processor.processingStatus().values().stream()
                                                 .filter(EventTrackerStatus::isErrorState)
                                                 .map(status -> status.getError() == null ? "unknown error"
                                                                : SafeCauses.describe(status.getError()))
                                                 .findFirst();
        if (segmentError.isPresent() || !processor.isError()) {
            return segmentError;
        }
        return Optional.of("The processor is in error mode and retrying");
    }

    /** Parked letters per projection and tenant (a letter of no known tenant under null). */
    private Map<String, Map<UUID, Long>> deadLetterCountsByTenant() {
        Map<String, Map<UUID, Long>> counts = new HashMap<>();
        jdbc.query("SELECT processing_group, tenant_id, count(*) FROM event_store.dead_letter_entry"
                   + " GROUP BY processing_group, tenant_id", rs -> {
                       counts.computeIfAbsent(rs.getString(1), group -> new HashMap<>())
                             .merge(rs.getObject(2, UUID.class), rs.getLong(3), Long::sum);
                   });
        return counts;
    }

    private static long parked(Map<String, Map<UUID, Long>> counts, String projection, Reach reach) {
        Map<UUID, Long> byTenant = counts.getOrDefault(projection, Map.of());
        return reach.tenant().map(tenant -> byTenant.getOrDefault(tenant, 0L))
                    .orElseGet(() -> byTenant.values().stream().mapToLong(Long::longValue).sum());
    }

    /** Over every tenant: the cap is the queue's, shared by all. */
    private Map<String, Fill> fills() {
        Map<String, Fill> fills = new HashMap<>();
        jdbc.query("""
                SELECT processing_group, count(*), max(size) FROM (
                    SELECT processing_group, count(*) AS size FROM event_store.dead_letter_entry
                     GROUP BY processing_group, sequence_identifier) sequences
                 GROUP BY processing_group""", rs -> {
                     fills.put(rs.getString(1), new Fill(rs.getLong(2), rs.getLong(3)));
                 });
        return fills;
    }
}
