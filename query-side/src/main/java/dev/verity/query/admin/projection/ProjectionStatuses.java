package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.Projections;
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
 *     connection), or its dead-letter queue holds at least one parked event;</li>
 * <li>{@code running}: none of the above.</li>
 * </ul>
 * {@code position} is the lowest global index its segments have reached (null before the
 * processor first ran) and {@code lag} is {@code head - position}: an upper bound on the events
 * still to apply, since global indexes skipped by rolled-back appends count too.
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

    ProjectionStatuses(Projections projections, LiveProcessors live, ProcessorTokens tokens, EventStoreHead head,
                       Rebuilds rebuilds, JdbcTemplate jdbc) {
        this.projections = projections;
        this.live = live;
        this.tokens = tokens;
        this.head = head;
        this.rebuilds = rebuilds;
        this.jdbc = jdbc;
    }

    List<ProjectionStatus> all() {
        long currentHead = head.head();
        Map<String, Long> deadLetters = deadLetterCounts();
        return projections.all().stream()
                          .map(projection -> status(projection, currentHead, deadLetters))
                          .toList();
    }

    ProjectionStatus of(ProjectionDefinition projection) {
        return status(projection, head.head(), deadLetterCounts());
    }

    private ProjectionStatus status(ProjectionDefinition projection, long currentHead, Map<String, Long> deadLetters) {
        String name = projection.name();
        int segments = tokens.read(live.processorName(name)).size();
        OptionalLong position = live.position(name);
        long parked = deadLetters.getOrDefault(name, 0L);
        Optional<StreamingEventProcessor> processor = live.find(name);
        String error = processor.flatMap(ProjectionStatuses::error).orElse(null);
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
                                    rebuild.map(RebuildProgress::status).orElse(null));
    }

    private static Optional<String> error(StreamingEventProcessor processor) {
        Optional<String> segmentError = processor.processingStatus().values().stream()
                                                 .filter(EventTrackerStatus::isErrorState)
                                                 .map(status -> String.valueOf(status.getError()))
                                                 .findFirst();
        if (segmentError.isPresent() || !processor.isError()) {
            return segmentError;
        }
        return Optional.of("The processor is in error mode and retrying");
    }

    private Map<String, Long> deadLetterCounts() {
        Map<String, Long> counts = new HashMap<>();
        jdbc.query("SELECT processing_group, count(*) FROM event_store.dead_letter_entry GROUP BY processing_group",
                   rs -> {
                       counts.put(rs.getString(1), rs.getLong(2));
                   });
        return counts;
    }
}
