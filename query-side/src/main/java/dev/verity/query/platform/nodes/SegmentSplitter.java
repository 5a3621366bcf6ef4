package dev.verity.query.platform.nodes;

import dev.verity.query.platform.projection.Projections;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Splits each projection's segments until there are enough for every live query node to hold at
 * least one: {@link #target} is {@code verity.projections.segments} (what one node runs, and what a
 * token store is first made with) or, with more nodes than that, the next power of two above
 * their number (3 nodes: 4 segments, shared 2/1/1). Fewer segments cost less on one node (each
 * segment is a work package polling the store and committing its own batches), so the count
 * grows only when nodes join to share them. A store made with fewer segments than configured is
 * brought up to the count the same way.
 * <p>
 * A split is Axon's own {@code splitSegment}: the token of a segment this node holds is copied to
 * its two halves, so no event is skipped or applied twice. Every node splits the segments it holds
 * that are wider than {@code 1 / target}, one per processor and round; since only the holder of a
 * segment splits it, and never below that width, nodes splitting at once with a stale view of
 * each other still end at exactly {@code target} equal segments. Segments are not merged again
 * when nodes leave: a node that restarts gets its share back at once, with no churn.
 */
@Component
class SegmentSplitter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SegmentSplitter.class);

    private final EventProcessingConfiguration processing;
    private final Projections projections;
    private final QueryNodes nodes;
    private final int segments;
    private final long interval;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "segment-splitter");
        thread.setDaemon(true);
        return thread;
    });

    SegmentSplitter(EventProcessingConfiguration processing, Projections projections, QueryNodes nodes,
                    NodeProperties properties, @Value("${verity.projections.segments:2}") int segments) {
        this.processing = processing;
        this.projections = projections;
        this.nodes = nodes;
        this.segments = segments;
        this.interval = properties.heartbeatInterval().toMillis() * 4;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        executor.scheduleWithFixedDelay(this::splitOnce, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void splitOnce() {
        int target = target(segments, nodes.nodes().size());
        for (var projection : projections.all()) {
            Optional<StreamingEventProcessor> processor =
                    processing.eventProcessorByProcessingGroup(projection.name(), StreamingEventProcessor.class);
            if (processor.isEmpty() || !processor.get().isRunning()) {
                continue;
            }
            Integer stored = nodes.segments(processor.get().getName());
            if (stored == null || stored >= target) {
                continue;
            }
            processor.get().processingStatus().values().stream()
                     .map(EventTrackerStatus::getSegment)
                     .filter(segment -> segment.getMask() + 1 < target)
                     .min(Comparator.comparingInt(segment -> segment.getMask()))
                     .ifPresent(widest -> split(processor.get(), widest.getSegmentId(), stored, target));
        }
    }

    /** How many segments each processor should have: {@code configured}, or one per node rounded up to a power of two. */
    static int target(int configured, int nodes) {
        int perNode = Integer.highestOneBit(Math.max(nodes, 1));
        if (perNode < nodes) {
            perNode <<= 1;
        }
        return Math.max(configured, perNode);
    }

    private void split(StreamingEventProcessor processor, int segment, int stored, int target) {
        try {
            boolean done = processor.splitSegment(segment).get(30, TimeUnit.SECONDS);
            log.info("Processor {}: {} segment {} of {} towards {} segments for {} query nodes", processor.getName(),
                     done ? "split" : "could not split", segment, stored, target, nodes.nodes().size());
            nodes.refresh();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.warn("Processor {}: splitting segment {} failed; trying again later", processor.getName(), segment, e);
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
