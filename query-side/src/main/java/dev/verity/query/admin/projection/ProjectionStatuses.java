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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

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
class ProjectionStatuses {

    /** One projection as {@code GET /api/v1/admin/projections} lists it. */
    record ProjectionStatus(String name, String state, List<String> tables, Long position, long head, long lag,
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
        long currentHead = head.head();
        Map<String, Long> deadLetters = deadLetterCounts(reach);
        Map<String, Fill> fills = fills();
        return projections.all().stream()
                          .map(projection -> status(projection, currentHead, deadLetters, fills, reach))
                          .toList();
    }

    ProjectionStatus of(ProjectionDefinition projection, Reach reach) {
        return status(projection, head.head(), deadLetterCounts(reach), fills(), reach);
    }

    private ProjectionStatus status(ProjectionDefinition projection, long currentHead, Map<String, Long> deadLetters,
                                    Map<String, Fill> fills, Reach reach) {
        String name = projection.name();
        int segments = tokens.read(live.processorName(name)).size();
        OptionalLong position = live.position(name);
        long parked = deadLetters.getOrDefault(name, 0L);
        Optional<StreamingEventProcessor> processor = live.find(name);
        String error = overflow(name, fills.get(name))
                .or(() -> processor.flatMap(ProjectionStatuses::error))
                .orElse(null);
        Optional<RebuildProgress> rebuild = rebuilds.latest(name);

        String state;
        if (rebuild.map(r -> r.state().active()).orElse(false)) {
            state = "rebuilding";
        } else if (processor.map(p -> !p.isRunning()).orElse(true)) {
            state = "stopped";
        } else if (error != null || parked > 0) {
            state = "failing";
        } else {
            state = "running";
        }
        return new ProjectionStatus(name, state, projection.tables(),
                                    position.isPresent() ? position.getAsLong() : null, currentHead,
                                    Math.max(0, currentHead - position.orElse(0)), segments, parked, error,
                                    rebuild.map(r -> r.status(reach.tenant().isEmpty())).orElse(null));
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

    private Map<String, Long> deadLetterCounts(Reach reach) {
        Map<String, Long> counts = new HashMap<>();
        String where = reach.tenant().isPresent() ? " WHERE tenant_id = ?" : "";
        Object[] arguments = reach.tenant().map(tenant -> new Object[] {tenant}).orElse(new Object[0]);
        jdbc.query("SELECT processing_group, count(*) FROM event_store.dead_letter_entry" + where
                   + " GROUP BY processing_group", rs -> {
                       counts.put(rs.getString(1), rs.getLong(2));
                   }, arguments);
        return counts;
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
