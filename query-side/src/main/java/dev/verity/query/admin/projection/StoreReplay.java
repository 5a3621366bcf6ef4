package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ProjectionReplayer;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One replay of the event store, in global order, through one projection instance (one writing
 * a shadow or scratch schema). Events are read straight from the storage engine, upcast like the
 * live processors read them, and applied in transactions of a few thousand; the next batch is read
 * on a thread of its own while one is written ({@link ReadAhead}). The position (the tracking
 * token of the last event read, gaps included) moves only when a batch has committed.
 * A failing event fails the replay: unlike a live processor, a rebuild cannot park records.
 */
final class StoreReplay {

    /** Which events of a pass to apply, judged with each event's own global index. */
    @FunctionalInterface
    interface EventFilter {
        boolean test(TrackedEventMessage<?> event, long globalIndex);
    }

    /** A pass of {@link #readAvailable} accepts every event. */
    static final EventFilter ALL = (event, globalIndex) -> true;

    private final EventStorageEngine storage;
    private final EventPositions positions;
    private final TransactionTemplate transactions;
    private final int batchSize;
    private final ProjectionReplayer projection;
    private final BooleanSupplier cancelled;
    private final Consumer<StoreReplay> afterBatch;

    private volatile TrackingToken position;
    private volatile long eventsRead;

    StoreReplay(EventStorageEngine storage, EventPositions positions, TransactionTemplate transactions, int batchSize,
                ProjectionReplayer projection, BooleanSupplier cancelled, Consumer<StoreReplay> afterBatch) {
        this.storage = storage;
        this.positions = positions;
        this.transactions = transactions;
        this.batchSize = batchSize;
        this.projection = projection;
        this.cancelled = cancelled;
        this.afterBatch = afterBatch;
    }

    /** Tracking token of the last event read; null before the first. */
    TrackingToken position() {
        return position;
    }

    /** Global index of the last event read; 0 before the first. */
    long index() {
        TrackingToken token = position;
        return token == null ? 0 : token.position().orElse(0);
    }

    long eventsRead() {
        return eventsRead;
    }

    /** Batches the fast replayer gave back to the ordinary one (see {@link ProjectionReplayer#deferred}). */
    long batchesAppliedAgain() {
        return projection.batchesAppliedAgain();
    }

    /**
     * Reads what the store holds now, applying the events {@code include} accepts, and stops
     * before the first event beyond global index {@code limit} (which the next pass reads again).
     *
     * @throws CancellationException when {@code cancelled} says so; the open batch is rolled back
     */
    void readAvailable(long limit, EventFilter include) {
        try (ReadAhead reader = new ReadAhead(storage, position, batchSize, limit, cancelled, projection::handles)) {
            ReadAhead.Batch batch;
            do {
                batch = reader.next();
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("Replay cancelled");
                }
                if (!batch.events().isEmpty()) {
                    List<TrackedEventMessage<?>> events = batch.events();
                    transactions.executeWithoutResult(status -> projection.apply(
                            include == ALL ? events : included(events, include)));
                    position = batch.last();
                    eventsRead += events.size();
                    afterBatch.accept(this);
                }
            } while (batch.more());
        }
    }

    /**
     * Passes over the store until the position reaches the head it had when the pass began. One
     * pass normally suffices; another follows only if the head's event was not readable yet.
     */
    void catchUp(EventStoreHead head, Duration pollInterval) {
        long target = head.head();
        readAvailable(Long.MAX_VALUE, ALL);
        while (index() < target) {
            sleep(pollInterval);
            target = head.head();
            readAvailable(Long.MAX_VALUE, ALL);
        }
    }

    private void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Replay interrupted");
        }
    }

    /**
     * Filters with each event's own global index, looked up for the whole batch at once: a
     * tracking token's index is the highest position read so far, which for an event committed
     * after a later one (any concurrent load) is the later event's.
     */
    private List<TrackedEventMessage<?>> included(List<TrackedEventMessage<?>> batch, EventFilter include) {
        Map<String, Long> indexes = positions.of(batch.stream().map(TrackedEventMessage::getIdentifier).toList());
        return batch.stream().filter(event -> include.test(event, indexes.get(event.getIdentifier()))).toList();
    }
}
