package dev.verity.query.kit;

import dev.verity.events.kit.KitExecutionEvent;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCreated;
import dev.verity.events.kit.KitExecutionEvent.KitOutputRecorded;
import dev.verity.events.kit.KitOutputStatus;
import dev.verity.query.EventStreams;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends KitExecution events to the real event store, as the command side would, with the
 * metadata every event carries ({@link EventStreams#metaData}); sequence numbers continue per
 * execution across calls. Each event gets its own millisecond unless the test gives the times.
 * Also makes the events with sensible defaults, so each test spells out only what it is about.
 */
public final class KitExecutionEvents {

    public static final String HASH = "0123456789abcdef".repeat(4);

    private final EventStorageEngine storageEngine;
    private final ConcurrentHashMap<UUID, AtomicLong> nextSequence = new ConcurrentHashMap<>();
    private final AtomicLong lastMillis = new AtomicLong();

    public KitExecutionEvents(EventStorageEngine storageEngine) {
        this.storageEngine = storageEngine;
    }

    /** Appends the events of one execution in order and returns the last one's sequence number. */
    public long append(UUID tenantId, KitExecutionEvent... events) {
        return appendAt(Arrays.stream(events).map(event -> nextTimestamp()).toArray(Instant[]::new), tenantId, events);
    }

    /** The same with each event's timestamp given, {@code at[i]} for {@code events[i]}. */
    public long appendAt(Instant[] at, UUID tenantId, KitExecutionEvent... events) {
        UUID executionId = events[0].kitExecutionId();
        AtomicLong sequence = nextSequence.computeIfAbsent(executionId, id -> new AtomicLong());
        for (int i = 0; i < events.length; i++) {
            storageEngine.appendEvents(new GenericDomainEventMessage<>(
                    "KitExecution", executionId.toString(), sequence.getAndIncrement(), events[i],
                    EventStreams.metaData(tenantId), UUID.randomUUID().toString(), at[i]));
        }
        return sequence.get() - 1;
    }

    private Instant nextTimestamp() {
        return Instant.ofEpochMilli(lastMillis.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis())));
    }

    public static KitExecutionCreated created(UUID executionId, UUID tenantId, UUID projectId) {
        return created(executionId, tenantId, projectId, "landing-page");
    }

    public static KitExecutionCreated created(UUID executionId, UUID tenantId, UUID projectId, String kitId) {
        return new KitExecutionCreated(executionId, tenantId, projectId, EventStreams.ACTOR_ID, null, kitId, "1.2.0",
                                       Map.of("brief", "A landing page", "pages", 3), "wf-1", "inngest-1");
    }

    /** An output with the given status and token usage, the rest filled in. */
    public static KitOutputRecorded output(UUID executionId, UUID rowId, String outputId, KitOutputStatus status,
                                           int prompt, int completion) {
        return new KitOutputRecorded(executionId, rowId, outputId, outputId + ".html", "html", status, 1, 2, 3, 1,
                                     Map.of("rules", 12), "s3://bucket/" + outputId, 2048, HASH, prompt, completion);
    }
}
