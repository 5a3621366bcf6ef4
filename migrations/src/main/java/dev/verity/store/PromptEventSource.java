package dev.verity.store;

import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.StreamableMessageSource;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * <p>
 * Every processor has a stream of its own. While the processors keep up, the embedded store hands
 * all of them the same message objects from its one reader, and a payload is deserialized once;
 * but a processor behind the store's cache (after a burst, a restart or a pause) reads the store
 * on its own and would deserialize every payload and metadata again, once per processor. So the
 * streams draw each domain event's message from {@link SharedMessages} by identifier: the first
 * stream to deliver an event keeps its message there, and the others deliver that message with
 * their own tracking token. Only the token says where a stream is (gaps included), and it is never
 * shared; what is shared is the stored event, which is never rewritten, read through the same
 * upcasters (one event each). Up to {@code sharedMessages} recent events are kept.
 */
public final class PromptEventSource implements StreamableMessageSource<TrackedEventMessage<?>>, AutoCloseable {

    private final EventStore eventStore;
    private final long nudgeIntervalMillis;
    private final SharedMessages sharedMessages;
    private final ScheduledExecutorService nudger = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "verity-event-nudger");
        thread.setDaemon(true);
        return thread;
    });

    public PromptEventSource(EventStore eventStore, long nudgeIntervalMillis, int sharedMessages) {
        this.eventStore = eventStore;
        this.nudgeIntervalMillis = Math.max(1, nudgeIntervalMillis);
        this.sharedMessages = new SharedMessages(sharedMessages);
    }

    @Override
    public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
        return new NudgingStream(eventStore.openStream(trackingToken), sharedMessages);
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
        private final SharedMessages shared;
        private volatile ScheduledFuture<?> nudging;
        /** The last event read from the delegate and what this stream delivers for it (peeked, then taken). */
        private TrackedEventMessage<?> lastRead;
        private TrackedEventMessage<?> lastDelivered;

        private NudgingStream(BlockingStream<TrackedEventMessage<?>> delegate, SharedMessages shared) {
            this.delegate = delegate;
            this.shared = shared;
        }

        private TrackedEventMessage<?> deliver(TrackedEventMessage<?> read) {
            if (read != lastRead) {
                lastRead = read;
                lastDelivered = shared.deliver(read);
            }
            return lastDelivered;
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
            return delegate.peek().map(this::deliver);
        }

        @Override
        public boolean hasNextAvailable(int timeout, TimeUnit unit) throws InterruptedException {
            return delegate.hasNextAvailable(timeout, unit);
        }

        @Override
        public TrackedEventMessage<?> nextAvailable() throws InterruptedException {
            return deliver(delegate.nextAvailable());
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

    /**
     * The most recent domain events' messages as the first stream delivered them, by event
     * identifier. An event delivered again (another processor, or this one after a restart) gets
     * that message's payload, metadata and timestamp, each deserialized at most once, under its
     * own stream's tracking token. Shared by every stream of the source, hence synchronized.
     */
    static final class SharedMessages {

        private final Map<String, DomainEventMessage<?>> byIdentifier;

        SharedMessages(int capacity) {
            this.byIdentifier = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, DomainEventMessage<?>> eldest) {
                    return size() > capacity;
                }
            };
        }

        TrackedEventMessage<?> deliver(TrackedEventMessage<?> read) {
            if (!(read instanceof DomainEventMessage<?> domainEvent)) {
                return read;
            }
            DomainEventMessage<?> first;
            synchronized (byIdentifier) {
                first = byIdentifier.putIfAbsent(read.getIdentifier(), domainEvent);
            }
            if (first == null || first == read) {
                return read;
            }
            return new GenericTrackedDomainEventMessage<>(read.trackingToken(), first);
        }
    }
}
