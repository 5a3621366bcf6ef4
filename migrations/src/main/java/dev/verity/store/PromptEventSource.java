package dev.verity.store;

import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.StreamableMessageSource;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The event store as a source for pooled streaming processors, without their 500 ms floor.
 * Axon's pooled coordinator re-checks a stream every 500 ms unless the stream offers an
 * "events available" callback, which the embedded store's streams do not. These streams offer
 * one and call it every {@code nudgeInterval}; the coordinator then looks (cheaply, in memory)
 * whether the store's producer has fetched anything. The nudging thread never reads the stream,
 * whose consumers are not thread-safe.
 */
public final class PromptEventSource implements StreamableMessageSource<TrackedEventMessage<?>>, AutoCloseable {

    private final EventStore eventStore;
    private final long nudgeIntervalMillis;
    private final ScheduledExecutorService nudger = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "verity-event-nudger");
        thread.setDaemon(true);
        return thread;
    });

    public PromptEventSource(EventStore eventStore, long nudgeIntervalMillis) {
        this.eventStore = eventStore;
        this.nudgeIntervalMillis = Math.max(1, nudgeIntervalMillis);
    }

    @Override
    public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
        return new NudgingStream(eventStore.openStream(trackingToken));
    }

    @Override
    public TrackingToken createTailToken() {
        return eventStore.createTailToken();
    }

    @Override
    public TrackingToken createHeadToken() {
        return eventStore.createHeadToken();
    }

    @Override
    public TrackingToken createTokenAt(Instant dateTime) {
        return eventStore.createTokenAt(dateTime);
    }

    @Override
    public void close() {
        nudger.shutdownNow();
    }

    private final class NudgingStream implements BlockingStream<TrackedEventMessage<?>> {

        private final BlockingStream<TrackedEventMessage<?>> delegate;
        private volatile ScheduledFuture<?> nudging;

        private NudgingStream(BlockingStream<TrackedEventMessage<?>> delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean setOnAvailableCallback(Runnable callback) {
            ScheduledFuture<?> previous = nudging;
            if (previous != null) {
                previous.cancel(false);
            }
            nudging = nudger.scheduleWithFixedDelay(callback, nudgeIntervalMillis, nudgeIntervalMillis,
                                                    TimeUnit.MILLISECONDS);
            return true;
        }

        @Override
        public Optional<TrackedEventMessage<?>> peek() {
            return delegate.peek();
        }

        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
            return delegate.hasNextAvailable(timeout, unit);
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
            return delegate.nextAvailable();
        }

        @Override
        public void skipMessagesWithPayloadTypeOf(TrackedEventMessage<?> ignoredMessage) {
            delegate.skipMessagesWithPayloadTypeOf(ignoredMessage);
        }

        @Override
        public void close() {
            ScheduledFuture<?> current = nudging;
            if (current != null) {
                current.cancel(false);
            }
            delegate.close();
        }
    }
}
