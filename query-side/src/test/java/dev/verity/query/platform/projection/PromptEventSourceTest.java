package dev.verity.query.platform.projection;

import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.store.PromptEventSource;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The processors' event source on real PostgreSQL, over an embedded store that gives every stream
 * a reader of its own (as the store does for a processor behind its cache): streams share each
 * event's message, never their tracking tokens, a gap filled late included.
 */
class PromptEventSourceTest extends QuerySideTest {

    private static final int EVENTS = 6;

    @Autowired
    private EventStorageEngine storageEngine;
    @Autowired
    private PlatformTransactionManager transactionManager;

    private final UUID tenant = UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    /**
     * One stream reads while a slow writer's event is a gap and then as it fills it; another,
     * opened after, reads the same events in index order. Each delivers exactly what a reader of
     * its own would (identifiers, order, tokens), the second with the first one's messages.
     */
    @Test
    void streams_shareEachEventsMessage_underTheirOwnTokens_whenAGapIsFilledLate() throws Exception {
        TrackingToken start = storageEngine.createHeadToken();
        PromptEventSource source = source(4096);
        BlockingStream<TrackedEventMessage<?>> alone = open(privateReaders(), start);
        BlockingStream<TrackedEventMessage<?>> early = open(source, start);

        SlowWriter slow = new SlowWriter();
        UUID task = UUID.randomUUID();
        eventStreams.append(tenant, TaskEvents.created(task, tenant, UUID.randomUUID()));
        for (int i = 1; i < EVENTS - 1; i++) {
            eventStreams.append(tenant, new TaskAssigned(task, AssigneeType.USER, "user-" + i));
        }
        List<TrackedEventMessage<?>> aloneEarly = new ArrayList<>(read(alone, EVENTS - 1));
        List<TrackedEventMessage<?>> sharedEarly = new ArrayList<>(read(early, EVENTS - 1));
        slow.commit();
        aloneEarly.addAll(read(alone, 1));
        sharedEarly.addAll(read(early, 1));
        List<TrackedEventMessage<?>> aloneLate = read(open(privateReaders(), start), EVENTS);
        List<TrackedEventMessage<?>> sharedLate = read(open(source, start), EVENTS);

        assertThat(aloneEarly.get(EVENTS - 1).getIdentifier()).as("the slow writer's event, read last")
                                                               .isEqualTo(aloneLate.get(0).getIdentifier());
        assertThat(aloneEarly.get(0).trackingToken()).as("read across the gap, not after it")
                                                     .isNotEqualTo(aloneLate.get(1).trackingToken());
        assertSameStream(sharedEarly, aloneEarly);
        assertSameStream(sharedLate, aloneLate);
        for (TrackedEventMessage<?> late : sharedLate) {
            DomainEventMessage<?> lateEvent = (DomainEventMessage<?>) late;
            DomainEventMessage<?> earlyEvent = (DomainEventMessage<?>) sharedEarly.stream()
                    .filter(event -> event.getIdentifier().equals(late.getIdentifier())).findFirst().orElseThrow();
            DomainEventMessage<?> stored = (DomainEventMessage<?>) aloneLate.stream()
                    .filter(event -> event.getIdentifier().equals(late.getIdentifier())).findFirst().orElseThrow();
            assertThat(lateEvent.getPayload()).isSameAs(earlyEvent.getPayload()).isEqualTo(stored.getPayload());
            assertThat(lateEvent.getMetaData()).isSameAs(earlyEvent.getMetaData()).isEqualTo(stored.getMetaData());
            assertThat(lateEvent.getAggregateIdentifier()).isEqualTo(stored.getAggregateIdentifier());
            assertThat(lateEvent.getSequenceNumber()).isEqualTo(stored.getSequenceNumber());
            assertThat(lateEvent.getType()).isEqualTo(stored.getType());
            assertThat(lateEvent.getTimestamp()).isEqualTo(stored.getTimestamp());
        }
        assertThat(early.hasNextAvailable(200, TimeUnit.MILLISECONDS)).as("only these events after the head").isFalse();
    }

    @Test
    void streams_deserializeOnTheirOwn_oncePastTheSharedMessages() throws Exception {
        TrackingToken start = storageEngine.createHeadToken();
        UUID task = UUID.randomUUID();
        eventStreams.append(tenant, TaskEvents.created(task, tenant, UUID.randomUUID()));
        PromptEventSource source = source(0);

        TrackedEventMessage<?> first = read(open(source, start), 1).get(0);
        TrackedEventMessage<?> second = read(open(source, start), 1).get(0);

        assertThat(second.getIdentifier()).isEqualTo(first.getIdentifier());
        assertThat(second.getPayload()).isNotSameAs(first.getPayload()).isEqualTo(first.getPayload());
    }

    /** A task's creation appended in a transaction that stays open until {@link #commit()}. */
    private final class SlowWriter {

        private final UUID task = UUID.randomUUID();
        private final CountDownLatch appended = new CountDownLatch(1);
        private final CountDownLatch commit = new CountDownLatch(1);
        private final Thread thread = new Thread(this::appendAndWait, "test-slow-writer");

        SlowWriter() throws InterruptedException {
            thread.start();
            assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();
        }

        private void appendAndWait() {
            new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
                eventStreams.append(tenant, TaskEvents.created(task, tenant, UUID.randomUUID()));
                appended.countDown();
                try {
                    commit.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void commit() throws InterruptedException {
            commit.countDown();
            thread.join();
        }
    }

    private static void assertSameStream(List<TrackedEventMessage<?>> delivered, List<TrackedEventMessage<?>> read) {
        assertThat(delivered).extracting(TrackedEventMessage::getIdentifier)
                             .containsExactlyElementsOf(read.stream().map(TrackedEventMessage::getIdentifier).toList());
        assertThat(delivered).extracting(TrackedEventMessage::trackingToken)
                             .containsExactlyElementsOf(read.stream().map(TrackedEventMessage::trackingToken).toList());
    }

    /** An embedded store whose every stream reads the storage engine itself. */
    private EventStore privateReaders() {
        EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(storageEngine)
                                                     .optimizeEventConsumption(false).build();
        opened.add(store::shutDown);
        return store;
    }

    private PromptEventSource source(int sharedMessages) {
        PromptEventSource source = new PromptEventSource(privateReaders(), 50, sharedMessages);
        opened.add(source);
        return source;
    }

    private BlockingStream<TrackedEventMessage<?>> open(
            StreamableMessageSource<TrackedEventMessage<?>> source, TrackingToken start) {
        BlockingStream<TrackedEventMessage<?>> stream = source.openStream(start);
        opened.add(stream::close);
        return stream;
    }

    private static List<TrackedEventMessage<?>> read(BlockingStream<TrackedEventMessage<?>> stream, int count)
            throws InterruptedException {
        List<TrackedEventMessage<?>> events = new ArrayList<>();
        while (events.size() < count && stream.hasNextAvailable(10, TimeUnit.SECONDS)) {
            assertThat(stream.peek()).get().isSameAs(stream.peek().orElseThrow());
            events.add(stream.nextAvailable());
        }
        assertThat(events).hasSize(count);
        return events;
    }
}
