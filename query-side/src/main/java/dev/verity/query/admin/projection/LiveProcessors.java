package dev.verity.query.admin.projection;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Axon processors that keep the live {@code read_model} tables up to date, one per projection
 * (its processing group), controlled through Axon's own processor API.
 */
@Component
class LiveProcessors {

    private final EventProcessingConfiguration processing;
    private final ProcessorTokens tokens;

    LiveProcessors(EventProcessingConfiguration processing, ProcessorTokens tokens) {
        this.processing = processing;
        this.tokens = tokens;
    }

    Optional<StreamingEventProcessor> find(String projection) {
        return processing.eventProcessorByProcessingGroup(projection, StreamingEventProcessor.class);
    }

    /** The name its tokens are stored under; the processing group's when it has no processor. */
    String processorName(String projection) {
        return find(projection).map(StreamingEventProcessor::getName).orElse(projection);
    }

    /**
     * The lowest global index its segments have reached. A running processor reports it from
     * memory: a segment that sees only other segments' events stores its token only every few
     * seconds, so the stored tokens can trail behind while nothing is left to do. A stopped one
     * is where its stored tokens say. Empty when it has never run.
     */
    OptionalLong position(String projection) {
        Optional<StreamingEventProcessor> processor = find(projection).filter(StreamingEventProcessor::isRunning);
        Map<Integer, EventTrackerStatus> status = processor.map(StreamingEventProcessor::processingStatus)
                                                           .orElse(Map.of());
        if (status.isEmpty()) {
            return ProcessorTokens.lowestPosition(tokens.read(processorName(projection)));
        }
        return status.values().stream()
                     .mapToLong(segment -> segment.getCurrentPosition().orElse(0))
                     .min();
    }

    SequencingPolicy<? super EventMessage<?>> sequencingPolicy(String projection) {
        return processing.sequencingPolicy(projection);
    }

    boolean running(String projection) {
        return find(projection).map(StreamingEventProcessor::isRunning).orElse(false);
    }

    /**
     * Stops the processor, which releases its segments' claims once its current batch is committed.
     *
     * @return whether it was running, i.e. whether {@link #resume} must start it again
     */
    boolean pause(String projection, Duration timeout) {
        Optional<StreamingEventProcessor> processor = find(projection).filter(StreamingEventProcessor::isRunning);
        if (processor.isEmpty()) {
            return false;
        }
        try {
            processor.get().shutdownAsync().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processor.get().start();
            throw new IllegalStateException("Interrupted while stopping processor " + projection, e);
        } catch (ExecutionException | TimeoutException e) {
            processor.get().start();
            throw new IllegalStateException("Processor " + projection + " did not stop within " + timeout, e);
        }
    }

    void resume(String projection) {
        find(projection).ifPresent(StreamingEventProcessor::start);
    }
}
