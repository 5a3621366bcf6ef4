package dev.verity.query.platform.nodes;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Lifts Axon's claim back-off from the segments this node should be holding. When a pooled
 * processor's work package stops on its own (its claim was taken over by another node, or fenced
 * by a pause), Axon's coordinator keeps that segment from being claimed again for 1 s, then 2, 4
 * and so on up to 60 s, and resets the back-off only when a batch on that segment commits, which
 * an idle projection never does. Where claims move between nodes (a node joins or leaves, a
 * rebuild or a verification pauses every node) that left segments unclaimed by anyone for up to a
 * minute, their events not applied meanwhile. On every heartbeat, for each processor holding
 * fewer segments than its share, this clears the block on the segments it does not hold
 * (Axon's {@code releaseSegment} for zero milliseconds replaces the deadline with now), so the
 * next claim round, within {@code token-claim-interval}, takes those that are free.
 */
@Component
class ClaimBackoffReset implements DisposableBean {

    private final EventProcessingConfiguration processing;
    private final QueryNodes nodes;
    private final long interval;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "claim-backoff-reset");
        thread.setDaemon(true);
        return thread;
    });

    ClaimBackoffReset(EventProcessingConfiguration processing, QueryNodes nodes, NodeProperties properties) {
        this.processing = processing;
        this.nodes = nodes;
        this.interval = properties.heartbeatInterval().toMillis();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        executor.scheduleWithFixedDelay(this::resetBelowShare, interval, interval, TimeUnit.MILLISECONDS);
    }

    void resetBelowShare() {
        processing.eventProcessors().values().stream()
                  .filter(PooledStreamingEventProcessor.class::isInstance)
                  .map(PooledStreamingEventProcessor.class::cast)
                  .filter(PooledStreamingEventProcessor::isRunning)
                  .forEach(this::resetBelowShare);
    }

    private void resetBelowShare(PooledStreamingEventProcessor processor) {
        Set<Integer> held = processor.processingStatus().keySet();
        if (held.size() >= nodes.maxSegments(processor.getName())) {
            return;
        }
        // A segment held here is never touched: releasing it, even for no time, could stop its work.
        nodes.segmentIds(processor.getName()).stream()
             .filter(segment -> !held.contains(segment))
             .forEach(segment -> processor.releaseSegment(segment, 0, TimeUnit.MILLISECONDS));
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
