package dev.verity.query.audit.ledger;

import org.axonframework.common.DateTimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Extends the ledger over the event store in global order, one {@link LedgerHash} link per
 * stored event, reading the rows' raw bytes. Runs every {@code verity.ledger.interval} (see
 * {@link LedgerConfiguration}) and whenever {@link #chain()} is called.
 * <p>
 * One chainer at a time across every instance: each batch is a transaction that first takes a
 * PostgreSQL advisory lock ({@link #LOCK_KEY}) and gives up at once if another holds it, then
 * continues from the newest ledger row it sees under that lock. Should two ever race anyway, the
 * ledger's primary key on {@code position} and unique {@code global_index} refuse the second append.
 * <p>
 * Holes: {@code global_index} comes from a sequence handed out before commit, so a missing index
 * is either a transaction still in flight (its event will appear) or a rolled-back append (it never
 * will). The chain stops before a hole until the hole is older than {@code verity.ledger.gap-grace},
 * then skips it for good. A hole's age is measured from the {@code time_stamp} of the first event
 * after it, the same clock Axon's gap timeout uses for the projections. That keeps the decision
 * stateless (identical in every instance and after restarts, no memory of when a hole was first
 * seen) and aligned with the processors: with the grace at least the event store's gap timeout, an
 * event the ledger gave up on is one the projections gave up on too. An event that still commits
 * into a skipped hole is never chained and verification reports it as {@code inserted}: that is an
 * event arriving in the past, which is exactly what an auditor must hear about.
 */
@Component
class LedgerChainer {

    /** pg advisory lock key of the chainer: "VERITYLG" in ASCII, unlikely to meet any other lock. */
    static final long LOCK_KEY = 0x5645524954594C47L;

    private static final Logger log = LoggerFactory.getLogger(LedgerChainer.class);

    private enum Outcome { FULL, CAUGHT_UP, AT_YOUNG_HOLE, BUSY }

    private record Batch(Outcome outcome, int chained) {
    }

    private final Ledger ledger;
    private final TransactionTemplate transactions;
    private final Duration gapGrace;
    private final int batchSize;

    LedgerChainer(Ledger ledger, PlatformTransactionManager transactionManager, LedgerProperties properties) {
        this.ledger = ledger;
        this.transactions = new TransactionTemplate(transactionManager);
        this.gapGrace = properties.gapGrace();
        this.batchSize = properties.batchSize();
    }

    /**
     * Chains every committed event it may chain now and returns how many it added; 0 when there
     * was nothing to do, when a young hole is in the way, or when another chainer holds the lock.
     * Each batch commits on its own, so a long catch-up never holds one huge transaction.
     */
    int chain() {
        int chained = 0;
        Batch batch;
        do {
            batch = transactions.execute(status -> chainBatch());
            chained += batch.chained();
        } while (batch.outcome() == Outcome.FULL);
        return chained;
    }

    private Batch chainBatch() {
        if (!ledger.tryLockForChaining()) {
            return new Batch(Outcome.BUSY, 0);
        }
        LedgerEntry head = ledger.newest().orElse(null);
        long position = head == null ? 0 : head.position();
        long lastIndex = head == null ? 0 : head.globalIndex();
        byte[] hash = head == null ? LedgerHash.genesis() : head.hash();

        List<StoredEvent> events = ledger.eventsBetween(lastIndex, Long.MAX_VALUE, batchSize);
        Outcome outcome = events.size() < batchSize ? Outcome.CAUGHT_UP : Outcome.FULL;
        List<LedgerEntry> added = new ArrayList<>();
        for (StoredEvent event : events) {
            if (event.globalIndex() != lastIndex + 1) {
                if (!holeExpired(lastIndex + 1, event)) {
                    outcome = Outcome.AT_YOUNG_HOLE;
                    break;
                }
                // Routine: every rolled-back append (a 409 conflict, say) leaves such a hole.
                log.info("Ledger skips global_index {}..{} for good: nothing was committed there within {}."
                                 + " An event that still lands there will be reported as inserted.",
                         lastIndex + 1, event.globalIndex() - 1, gapGrace);
            }
            hash = LedgerHash.next(hash, event);
            position++;
            added.add(new LedgerEntry(position, event.globalIndex(), event.eventIdentifier(), hash, null));
            lastIndex = event.globalIndex();
        }
        if (!added.isEmpty()) {
            ledger.append(added);
        }
        return new Batch(outcome, added.size());
    }

    private boolean holeExpired(long holeStart, StoredEvent after) {
        Instant written;
        try {
            written = DateTimeUtils.parseInstant(after.timeStamp());
        } catch (DateTimeParseException e) {
            // Axon could not read this row either; guessing its age could skip a live writer's event.
            log.error("Ledger stops before the hole at global_index {}: the next event's time_stamp {} is unreadable",
                      holeStart, after.timeStamp());
            return false;
        }
        return written.plus(gapGrace).isBefore(Instant.now());
    }
}
