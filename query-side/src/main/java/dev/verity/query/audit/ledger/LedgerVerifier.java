package dev.verity.query.audit.ledger;

import dev.verity.query.audit.ledger.Verification.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Recomputes the chain from the first stored event and walks it beside the ledger, reporting the
 * first position where they part: an event {@code changed}, {@code removed} or {@code inserted}
 * (see {@link Kind}), or a saved digest the recomputed chain no longer reaches. The same walk
 * checks the ledger itself: positions must run 1, 2, 3... without a gap, and the witnessed events'
 * keys (transaction, then global index: {@link ChainKey}) must rise with them; a missing row reads
 * as {@code removed}, one out of order as {@code changed}. The answer also says how far the ledger
 * reaches: how many stored events lie beyond its head (not final yet, or not chained yet).
 * <p>
 * Everything is read in one repeatable-read snapshot, so a chainer appending meanwhile cannot
 * make a ledger row visible without its event, or the other way round. The snapshot is read-only,
 * so it gets no transaction id and never holds back the chain's line (see {@link LedgerChainer}).
 */
@Component
class LedgerVerifier {

    private static final Logger log = LoggerFactory.getLogger(LedgerVerifier.class);
    private static final int PAGE = 500;

    private final Ledger ledger;
    private final TransactionTemplate snapshot;

    LedgerVerifier(Ledger ledger, PlatformTransactionManager transactionManager) {
        this.ledger = ledger;
        this.snapshot = new TransactionTemplate(transactionManager);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
    }

    /** @param digest checked on the way, or null to compare the store with the ledger only */
    Verification verify(SavedDigest digest) {
        Verification result = snapshot.execute(status -> walk(digest));
        if (!result.ok()) {
            log.warn("Ledger verification failed: {}", result.firstMismatch());
        }
        return result;
    }

    private Verification walk(SavedDigest digest) {
        ChainKey chainedUpTo = ledger.newest().map(LedgerEntry::key).orElse(ChainKey.START);
        return compare(digest, chainedUpTo).reaching(ledger.storeHead(), ledger.eventsAfter(chainedUpTo));
    }

    private Verification compare(SavedDigest digest, ChainKey chainedUpTo) {
        byte[] hash = LedgerHash.genesis();
        if (digest != null && digest.position() == 0 && !Arrays.equals(hash, digest.hash())) {
            return Verification.failed(0, null, null, Kind.DIGEST_MISMATCH);
        }
        Pages<Long, LedgerEntry> entries = new Pages<>(after -> ledger.entriesAfter(after, PAGE), LedgerEntry::position,
                                                       0L);
        Pages<ChainKey, StoredEvent> events = new Pages<>(after -> ledger.eventsBetween(after, chainedUpTo, PAGE),
                                                          StoredEvent::key, ChainKey.START);
        long position = 0;
        ChainKey lastKey = null;
        for (LedgerEntry entry = entries.next(); entry != null; entry = entries.next()) {
            long expected = position + 1;
            if (entry.position() != expected) {
                return Verification.failed(expected, null, null, Kind.REMOVED);
            }
            if (lastKey != null && entry.key().compareTo(lastKey) <= 0) {
                return failed(entry, Kind.CHANGED);
            }
            StoredEvent event = events.peek();
            if (event != null && event.key().compareTo(entry.key()) < 0) {
                return Verification.failed(expected, event.globalIndex(), event.eventIdentifier(), Kind.INSERTED);
            }
            if (event == null || event.key().compareTo(entry.key()) > 0) {
                return failed(entry, Kind.REMOVED);
            }
            events.next();
            hash = LedgerHash.next(hash, event);
            if (!event.eventIdentifier().equals(entry.eventIdentifier()) || !Arrays.equals(hash, entry.hash())) {
                return failed(entry, Kind.CHANGED);
            }
            if (digest != null && digest.position() == expected && !Arrays.equals(hash, digest.hash())) {
                return failed(entry, Kind.DIGEST_MISMATCH);
            }
            position = expected;
            lastKey = entry.key();
        }
        if (digest != null && digest.position() > position) {
            // Callers reject such digests up front; meeting one here means the ledger lost its tail meanwhile.
            return Verification.failed(position + 1, null, null, Kind.REMOVED);
        }
        StoredEvent unwitnessed = events.peek();
        if (unwitnessed != null) {
            return Verification.failed(position + 1, unwitnessed.globalIndex(), unwitnessed.eventIdentifier(),
                                       Kind.INSERTED);
        }
        return Verification.ok(position);
    }

    private static Verification failed(LedgerEntry entry, Kind kind) {
        return Verification.failed(entry.position(), entry.globalIndex(), entry.eventIdentifier(), kind);
    }

    /** Keyset paging over a table as one sequence: the next page starts after the last key seen. */
    private static final class Pages<K, T> {

        private final Function<K, List<T>> fetchAfter;
        private final Function<T, K> key;
        private final Deque<T> buffer = new ArrayDeque<>();
        private K lastKey;
        private boolean exhausted;

        Pages(Function<K, List<T>> fetchAfter, Function<T, K> key, K before) {
            this.fetchAfter = fetchAfter;
            this.key = key;
            this.lastKey = before;
        }

        T peek() {
            if (buffer.isEmpty() && !exhausted) {
                List<T> page = fetchAfter.apply(lastKey);
                exhausted = page.size() < PAGE;
                buffer.addAll(page);
                if (!page.isEmpty()) {
                    lastKey = key.apply(page.get(page.size() - 1));
                }
            }
            return buffer.peekFirst();
        }

        T next() {
            T next = peek();
            buffer.pollFirst();
            return next;
        }
    }
}
