package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.stream.ChangeNotices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.concurrent.CancellationException;

/**
 * Rebuilds one projection's tables without taking them offline.
 * <ol>
 * <li>Empty copies of its tables are made in the shadow schema {@code rebuild_<name>}, with their
 *     keys but not yet their other indexes.</li>
 * <li>A fresh instance of the projection replays the whole event store into them, batch by batch,
 *     while the live processor keeps applying new events to the live tables and reads go on; the
 *     other indexes are then built over the loaded rows.</li>
 * <li>Caught up with the head, the live processor is paused (its batch in flight commits first)
 *     and the replay reads the events that arrived meanwhile.</li>
 * <li>One transaction drops the live tables, moves the shadow tables into {@code read_model},
 *     re-applies tenant isolation, sets every segment of the live processor's token to the
 *     replay's position (gaps included, so late commits below it are still delivered), and clears
 *     the projection's dead letters: the rebuilt tables have applied those events.</li>
 * <li>The live processor is started again and continues after that position on the new tables.</li>
 * </ol>
 * A failure or cancellation before that transaction commits drops the shadow schema; the live
 * tables and tokens are as they were, and a paused processor is started again.
 */
@Component
class Rebuilder {

    private static final Logger log = LoggerFactory.getLogger(Rebuilder.class);

    private final ShadowTables shadowTables;
    private final Replays replays;
    private final LiveProcessors live;
    private final ProcessorTokens tokens;
    private final EventStoreHead head;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ProjectionOperationsProperties properties;

    Rebuilder(ShadowTables shadowTables, Replays replays, LiveProcessors live, ProcessorTokens tokens,
              EventStoreHead head, JdbcTemplate jdbc, PlatformTransactionManager transactionManager,
              ProjectionOperationsProperties properties) {
        this.shadowTables = shadowTables;
        this.replays = replays;
        this.live = live;
        this.tokens = tokens;
        this.head = head;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.properties = properties;
    }

    void rebuild(ProjectionDefinition projection, RebuildProgress progress) {
        String name = projection.name();
        String shadow = ShadowTables.schemaName("rebuild_", name);
        Runnable outcome;
        boolean paused = false;
        boolean swapped = false;
        long started = System.nanoTime();
        long replayed = started;
        long indexed = started;
        long caughtUp = started;
        try {
            progress.advanced(0, head.head(), 0);
            shadowTables.createWithKeys(shadow, projection.tables());
            StoreReplay replay = replays.into(projection, shadow, progress::cancelRequested,
                                              r -> progress.advanced(r.index(), head.head(), r.eventsRead()));
            replay.catchUp(head, properties.pollInterval());
            replayed = System.nanoTime();
            shadowTables.createIndexes(shadow, projection.tables());
            indexed = System.nanoTime();

            progress.swapping();
            paused = live.pause(name, properties.pauseTimeout());
            replay.catchUp(head, properties.pollInterval());
            caughtUp = System.nanoTime();
            if (progress.cancelRequested()) {
                throw new CancellationException("Rebuild cancelled");
            }
            transactions.executeWithoutResult(status -> {
                shadowTables.swapIn(shadow, projection.tables(), properties.swapLockTimeout());
                tokens.moveAll(live.processorName(name), replay.position());
                jdbc.update("DELETE FROM event_store.dead_letter_entry WHERE processing_group = ?", name);
                ChangeNotices.swapped(jdbc, name);
            });
            swapped = true;
            progress.advanced(replay.index(), replay.index(), replay.eventsRead());
            long done = System.nanoTime();
            log.info("Rebuilt projection {}: {} events, swapped in at global index {}; {} batches applied again"
                     + " statement by statement; replay {} ms, indexes {} ms, pause and catch-up {} ms, swap {} ms",
                     name, replay.eventsRead(), replay.index(), replay.batchesAppliedAgain(),
                     (replayed - started) / 1_000_000, (indexed - replayed) / 1_000_000,
                     (caughtUp - indexed) / 1_000_000, (done - caughtUp) / 1_000_000);
            outcome = progress::done;
        } catch (CancellationException e) {
            log.info("Rebuild of projection {} cancelled; live tables untouched", name);
            dropQuietly(shadow);
            outcome = progress::cancelled;
        } catch (RuntimeException e) {
            log.warn("Rebuild of projection {} failed; live tables untouched", name, e);
            dropQuietly(shadow);
            outcome = () -> progress.failed(e);
        }
        if (paused) {
            try {
                live.resume(name);
            } catch (RuntimeException e) {
                log.error("Processor {} did not start again after its rebuild", name, e);
                String what = swapped ? "The rebuilt tables are swapped in, but processor " : "Processor ";
                IllegalStateException failure = new IllegalStateException(
                        what + name + " did not start again; start it or restart the query side", e);
                outcome = () -> progress.failed(failure);
            }
        }
        outcome.run();
    }

    private void dropQuietly(String schema) {
        try {
            shadowTables.drop(schema);
        } catch (RuntimeException e) {
            log.warn("Could not drop shadow schema {}; the next rebuild drops it", schema, e);
        }
    }
}
