package dev.verity.query.audit.ledger;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * Extends the ledger over the event store in chain order, {@code (xid, global_index)} (see
 * {@link ChainKey}), one {@link LedgerHash} link per stored event, reading the rows' raw bytes.
 * Runs every {@code verity.ledger.interval} (see {@link LedgerConfiguration}) and whenever
 * {@link #chain()} is called.
 * <p>
 * One chainer at a time across every instance: each batch is a transaction that first takes a
 * PostgreSQL advisory lock ({@link #LOCK_KEY}) and gives up at once if another holds it, then
 * continues from the newest ledger row it sees under that lock. Should two ever race anyway, the
 * ledger's primary key on {@code position} and unique {@code global_index} refuse the second append.
 * <p>
 * Order: {@code global_index} comes from a sequence handed out before commit, so it has holes
 * (a rolled-back append leaves one for good, an append in flight fills one late) and nobody can
 * tell the two apart by looking at the numbers. The writing transaction's id can: the chainer
 * takes only events of transactions older than the oldest one still running on the server
 * ({@code pg_snapshot_xmin}), which have all ended, and every later transaction gets a higher id.
 * So what it chains is final when read, holes are never waited for, and an event whose
 * transaction commits late is chained when it commits, in its place, never skipped. The price is
 * that any open write transaction on the server holds the chain back until it ends: long work
 * belongs in short transactions (docs/ledger.md says so for operators).
 */
@Component
class LedgerChainer {

    /** pg advisory lock key of the chainer: "VERITYLG" in ASCII, unlikely to meet any other lock. */
    static final long LOCK_KEY = 0x5645524954594C47L;

    private enum Outcome { FULL, CAUGHT_UP, BUSY }

    private record Batch(Outcome outcome, int chained) {
    }

    private final Ledger ledger;
    private final TransactionTemplate transactions;
    private final int batchSize;

    LedgerChainer(Ledger ledger, PlatformTransactionManager transactionManager, LedgerProperties properties) {
        this.ledger = ledger;
        this.transactions = new TransactionTemplate(transactionManager);
        this.batchSize = properties.batchSize();
    }

    /**
     * Chains every event that is final now and returns how many it added; 0 when there was nothing
     * to do or when another chainer holds the lock. Each batch commits on its own, so a long
     * catch-up never holds one huge transaction (which would hold back every chainer's line).
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
        byte[] hash = head == null ? LedgerHash.genesis() : head.hash();

        List<StoredEvent> events = ledger.finalEventsAfter(head == null ? ChainKey.START : head.key(), batchSize);
        List<LedgerEntry> added = new ArrayList<>(events.size());
        for (StoredEvent event : events) {
            hash = LedgerHash.next(hash, event);
            position++;
            added.add(new LedgerEntry(position, event.xid(), event.globalIndex(), event.eventIdentifier(), hash, null));
        }
        if (!added.isEmpty()) {
            ledger.append(added);
        }
        return new Batch(events.size() < batchSize ? Outcome.CAUGHT_UP : Outcome.FULL, added.size());
    }
}
