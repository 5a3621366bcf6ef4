package dev.verity.query.admin.projection;

import dev.verity.query.platform.nodes.QueryNodes;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The Axon processors that keep the live {@code read_model} tables up to date, one per projection
 * (its processing group), read through Axon's own processor API and paused on every query node
 * at once through the database.
 */
@Component
class LiveProcessors {

    private final EventProcessingConfiguration processing;
    private final ProcessorTokens tokens;
    private final QueryNodes nodes;
    private final Duration pollInterval;

    LiveProcessors(EventProcessingConfiguration processing, ProcessorTokens tokens, QueryNodes nodes,
                   ProjectionOperationsProperties properties) {
        this.processing = processing;
        this.tokens = tokens;
        this.nodes = nodes;
        this.pollInterval = properties.pollInterval();
    }

    Optional<StreamingEventProcessor> find(String projection) {
        return processing.eventProcessorByProcessingGroup(projection, StreamingEventProcessor.class);
    }

    /** The name its tokens are stored under; the processing group's when it has no processor. */
    String processorName(String projection) {
        return find(projection).map(StreamingEventProcessor::getName).orElse(projection);
    }

    /**
     * The lowest global index its segments have reached. The segments this node processes report
     * it from memory: a segment that sees only other segments' events stores its token lazily (at
     * each claim extension), so the stored tokens can trail behind while nothing is left to do.
     * Segments processed on other nodes, or by none, are where their stored tokens say. Empty when
     * it has never run.
     */
    OptionalLong position(String projection) {
        Map<Integer, TrackingToken> stored = tokens.read(processorName(projection));
        Map<Integer, EventTrackerStatus> status = find(projection).filter(StreamingEventProcessor::isRunning)
                                                                  .map(StreamingEventProcessor::processingStatus)
                                                                  .orElse(Map.of());
        if (status.isEmpty()) {
            return ProcessorTokens.lowestPosition(stored);
        }
        Map<Integer, Long> positions = new TreeMap<>();
        stored.forEach((segment, token) -> positions.put(segment, token == null ? 0 : token.position().orElse(0)));
        status.forEach((segment, local) -> positions.put(segment, local.getCurrentPosition().orElse(0)));
        return positions.values().stream().mapToLong(Long::longValue).min();
    }

    SequencingPolicy<? super EventMessage<?>> sequencingPolicy(String projection) {
        return processing.sequencingPolicy(projection);
    }

    boolean running(String projection) {
        return find(projection).map(StreamingEventProcessor::isRunning).orElse(false);
    }

    /**
     * Pauses the processor on every query node ({@link QueryNodes#pause}): each releases its
     * segments once its batch in flight is committed and claims none until {@link #resume}, so the
     * stored tokens are final. Here the processor keeps running, holding no segment.
     *
     * @return whether {@link #resume} must be called, which is always once this returns
     * @throws IllegalStateException when another node pauses it, or a segment is still claimed after {@code timeout}
     */
    boolean pause(String projection, Duration timeout) {
        nodes.pause(processorName(projection), "maintenance of " + projection, timeout, pollInterval);
        return true;
    }

    void resume(String projection) {
        nodes.resume(processorName(projection));
    }
}
