package dev.verity.query;

import dev.verity.events.common.MetadataKeys;
import dev.verity.events.session.SessionEvent;
import dev.verity.events.task.TaskEvent;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.springframework.boot.test.context.TestComponent;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends task events to the real event store, as the command side would, with the metadata
 * every event carries. Sequence numbers continue per task across calls. The store keeps event
 * times to the millisecond, so each event gets its own millisecond, as if each came from its own
 * command; otherwise rows a test expects in creation order would tie on their timestamps.
 */
@TestComponent
public class EventStreams {

    public static final String ACTOR_ID = "alice";

    private final EventStorageEngine storageEngine;
    private final ConcurrentHashMap<UUID, AtomicLong> nextSequence = new ConcurrentHashMap<>();
    private final AtomicLong lastMillis = new AtomicLong();

    EventStreams(EventStorageEngine storageEngine) {
        this.storageEngine = storageEngine;
    }

    /** Appends the events of one task in order and returns the last one's sequence number. */
    public long append(UUID tenantId, TaskEvent... events) {
        UUID taskId = events[0].taskId();
        AtomicLong sequence = nextSequence.computeIfAbsent(taskId, id -> new AtomicLong());
        List<GenericDomainEventMessage<TaskEvent>> messages = Arrays.stream(events)
                .map(event -> new GenericDomainEventMessage<>("Task", taskId.toString(), sequence.getAndIncrement(),
                                                              event, metaData(tenantId), UUID.randomUUID().toString(),
                                                              nextTimestamp()))
                .toList();
        storageEngine.appendEvents(messages);
        return sequence.get() - 1;
    }

    /** Appends the events of one elicitation session in order and returns the last one's sequence number. */
    public long appendSession(UUID tenantId, SessionEvent... events) {
        UUID sessionId = events[0].sessionId();
        AtomicLong sequence = nextSequence.computeIfAbsent(sessionId, id -> new AtomicLong());
        List<GenericDomainEventMessage<SessionEvent>> messages = Arrays.stream(events)
                .map(event -> new GenericDomainEventMessage<>("Session", sessionId.toString(),
                                                              sequence.getAndIncrement(), event, metaData(tenantId),
                                                              UUID.randomUUID().toString(), nextTimestamp()))
                .toList();
        storageEngine.appendEvents(messages);
        return sequence.get() - 1;
    }

    private Instant nextTimestamp() {
        return Instant.ofEpochMilli(lastMillis.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis())));
    }

    public static MetaData metaData(UUID tenantId) {
        String correlation = UUID.randomUUID().toString();
        return MetaData.with(MetadataKeys.TENANT_ID, tenantId.toString())
                       .and(MetadataKeys.ACTOR_TYPE, "user")
                       .and(MetadataKeys.ACTOR_ID, ACTOR_ID)
                       .and(MetadataKeys.CORRELATION_ID, correlation)
                       .and(MetadataKeys.CAUSATION_ID, correlation);
    }
}
