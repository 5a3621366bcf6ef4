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
 * Brings a token store made with fewer segments than {@code verity.projections.segments} (the
 * count applies only when a processor's tokens are first made) up to that count, by splitting
 * segments with Axon's own {@code splitSegment}: the token of the widest segment this node holds
 * is copied to its two halves, so no event is skipped or applied twice. Only the first live node
 * splits, one segment at a time; the new segments are shared out like the others.
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
                    NodeProperties properties, @Value("${verity.projections.segments:4}") int segments) {
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
        if (nodes.nodes().isEmpty() || !nodes.nodes().get(0).equals(nodes.nodeId())) {
            return;
        }
        for (var projection : projections.all()) {
            Optional<StreamingEventProcessor> processor =
                    processing.eventProcessorByProcessingGroup(projection.name(), StreamingEventProcessor.class);
            if (processor.isEmpty() || !processor.get().isRunning()) {
                continue;
            }
            Integer stored = nodes.segments(processor.get().getName());
            if (stored == null || stored >= segments) {
                continue;
            }
            processor.get().processingStatus().values().stream()
                     .map(EventTrackerStatus::getSegment)
                     .min(Comparator.comparingInt(segment -> segment.getMask()))
                     .ifPresent(widest -> split(processor.get(), widest.getSegmentId(), stored));
        }
    }

    private void split(StreamingEventProcessor processor, int segment, int stored) {
        try {
            boolean done = processor.splitSegment(segment).get(30, TimeUnit.SECONDS);
            log.info("Processor {}: {} segment {} of {} towards verity.projections.segments = {}", processor.getName(),
                     done ? "split" : "could not split", segment, stored, segments);
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
