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
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * Recomputes the chain from the first stored event and walks it beside the ledger, reporting the
 * first position where they part: an event {@code changed}, {@code removed} or {@code inserted}
 * (see {@link Kind}), or a saved digest the recomputed chain no longer reaches. The same walk
 * checks the ledger itself: positions must run 1, 2, 3... without a gap, and global indexes must
 * rise with them; a missing row reads as {@code removed}, one out of order as {@code changed}.
 * <p>
 * Everything is read in one repeatable-read snapshot, so a chainer appending meanwhile cannot
 * make a ledger row visible without its event, or the other way round.
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
        byte[] hash = LedgerHash.genesis();
        if (digest != null && digest.position() == 0 && !Arrays.equals(hash, digest.hash())) {
            return Verification.failed(0, null, null, Kind.DIGEST_MISMATCH);
        }
        long chainedUpTo = ledger.maxGlobalIndex();
        Pages<LedgerEntry> entries = new Pages<>(after -> ledger.entriesAfter(after, PAGE), LedgerEntry::position, 0);
        Pages<StoredEvent> events = new Pages<>(after -> ledger.eventsBetween(after, chainedUpTo, PAGE),
                                                StoredEvent::globalIndex, Long.MIN_VALUE);
        long position = 0;
        long lastIndex = Long.MIN_VALUE;
        for (LedgerEntry entry = entries.next(); entry != null; entry = entries.next()) {
            long expected = position + 1;
            if (entry.position() != expected) {
                return Verification.failed(expected, null, null, Kind.REMOVED);
            }
            if (entry.globalIndex() <= lastIndex) {
                return failed(entry, Kind.CHANGED);
            }
            StoredEvent event = events.peek();
            if (event != null && event.globalIndex() < entry.globalIndex()) {
                return Verification.failed(expected, event.globalIndex(), event.eventIdentifier(), Kind.INSERTED);
            }
            if (event == null || event.globalIndex() > entry.globalIndex()) {
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
            lastIndex = entry.globalIndex();
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
    private static final class Pages<T> {

        private final LongFunction<List<T>> fetchAfter;
        private final ToLongFunction<T> key;
        private final Deque<T> buffer = new ArrayDeque<>();
        private long lastKey;
        private boolean exhausted;

        Pages(LongFunction<List<T>> fetchAfter, ToLongFunction<T> key, long before) {
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
                    lastKey = key.applyAsLong(page.get(page.size() - 1));
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
