package dev.verity.query.admin.projection;

import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads a replay's batches on a thread of its own, one batch ahead of the one being written, so
 * that reading and deserializing the next batch (half of a rebuild's work) runs on the second core
 * instead of waiting for the write. Batches are handed over in the store's order through a queue
 * of one, so besides the batch being written at most one waits and one is being read.
 * <p>
 * Events are read as before, through the storage engine and its upcaster chain, exactly as the
 * live processors read them; the reader only forces the payload and metadata of each event the
 * projection handles to be deserialized before it hands the batch over, so that work is done
 * here. Events it does not handle stay serialized, as they did before: the writer skips them by
 * their payload type alone. The reader holds no transaction: the engine reads each fetch in a short one of its
 * own, on a connection of its own. Nothing here moves the replay's position; the writer does,
 * once a batch has committed.
 */
final class ReadAhead implements AutoCloseable {

    /** A batch read: its events in order, the token of the last one read, and whether more may follow. */
    record Batch(List<TrackedEventMessage<?>> events, TrackingToken last, boolean more) {
    }

    /** What the reader hands over: a batch, or the failure that ended it. */
    private record Handed(Batch batch, RuntimeException failure) {
    }

    private final EventStorageEngine storage;
    private final TrackingToken from;
    private final int batchSize;
    private final long limit;
    private final BooleanSupplier cancelled;
    private final Predicate<TrackedEventMessage<?>> handled;
    private final BlockingQueue<Handed> handOff = new ArrayBlockingQueue<>(1);
    private final Thread reader;
    private volatile boolean closed;
    private boolean ended;

    /**
     * Starts reading after {@code from} (null: from the start), in batches of {@code batchSize}
     * events, and stops before the first event beyond global index {@code limit}; deserializes
     * the events {@code handled} accepts.
     */
    ReadAhead(EventStorageEngine storage, TrackingToken from, int batchSize, long limit, BooleanSupplier cancelled,
              Predicate<TrackedEventMessage<?>> handled) {
        this.storage = storage;
        this.handled = handled;
        this.from = from;
        this.batchSize = batchSize;
        this.limit = limit;
        this.cancelled = cancelled;
        this.reader = new Thread(this::read, "replay-read-ahead");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * The next batch in the store's order; the last one says {@code more() == false}.
     *
     * @throws CancellationException when {@code cancelled} said so while reading
     * @throws RuntimeException      what reading or deserializing failed with
     */
    Batch next() {
        if (ended) {
            throw new IllegalStateException("The replay's last batch was handed over already");
        }
        Handed handed;
        try {
            handed = handOff.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Replay interrupted");
        }
        if (handed.failure() != null) {
            ended = true;
            throw handed.failure();
        }
        ended = !handed.batch().more();
        return handed.batch();
    }

    /** Stops the reader, whether it finished or not, and waits for it to let go of the store. */
    @Override
    public void close() {
        closed = true;
        boolean interrupted = false;
        while (reader.isAlive()) {
            // A reader blocked handing a batch over takes this room, sees closed and ends.
            handOff.clear();
            try {
                reader.join(10);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        handOff.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void read() {
        try (Stream<? extends TrackedEventMessage<?>> events = storage.readEvents(from, false)) {
            Iterator<? extends TrackedEventMessage<?>> iterator = events.iterator();
            boolean more = true;
            while (more && !closed) {
                List<TrackedEventMessage<?>> batch = new ArrayList<>(batchSize);
                TrackingToken last = null;
                while (batch.size() < batchSize) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancellationException("Replay cancelled");
                    }
                    if (closed) {
                        return;
                    }
                    if (!iterator.hasNext()) {
                        more = false;
                        break;
                    }
                    TrackedEventMessage<?> event = iterator.next();
                    if (event.trackingToken().position().orElse(0) > limit) {
                        more = false;
                        break;
                    }
                    if (handled.test(event)) {
                        event.getPayload();
                        event.getMetaData();
                    }
                    batch.add(event);
                    last = event.trackingToken();
                }
                hand(new Handed(new Batch(batch, last, more), null));
            }
        } catch (RuntimeException e) {
            hand(new Handed(null, e));
        } catch (Error e) {
            hand(new Handed(null, new IllegalStateException("Reading the event store failed", e)));
            throw e;
        }
    }

    private void hand(Handed handed) {
        try {
            while (!closed) {
                if (handOff.offer(handed, 10, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
