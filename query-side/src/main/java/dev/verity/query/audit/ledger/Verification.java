package dev.verity.query.audit.ledger;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What {@link LedgerVerifier} found. {@code checkedThrough} is the newest position at which the
 * event store, the ledger (and a saved digest, where one applies) all agreed: the ledger's head
 * when {@code ok}, otherwise the position just before {@code firstMismatch} (0 at the least).
 * How far the ledger reaches: {@code storeHead} is the store's highest global index and
 * {@code unchainedEvents} how many stored events lie beyond the ledger's head, in the same
 * snapshot (events of transactions still running elsewhere, or just committed, are not chained yet).
 */
record Verification(boolean ok, long checkedThrough, Mismatch firstMismatch, long storeHead, long unchainedEvents) {

    enum Kind {
        /** The event at this position no longer hashes to what the ledger recorded, or the ledger row was altered. */
        CHANGED,
        /** The ledger witnessed an event here that the store no longer has, or a ledger row is itself missing. */
        REMOVED,
        /** The store has an event inside the chained range that the ledger never witnessed. */
        INSERTED,
        /** Store and ledger agree, but the chain at this position differs from the digest the caller saved. */
        DIGEST_MISMATCH;

        @JsonValue
        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The first position where the chain breaks. {@code globalIndex} and {@code eventIdentifier}
     * name the event concerned (the store's for {@code inserted}, the ledger's otherwise), or are
     * null where there is none: a missing ledger row, or a digest at position 0.
     */
    record Mismatch(long position, Long globalIndex, String eventIdentifier, Kind kind) {
    }

    static Verification ok(long checkedThrough) {
        return new Verification(true, checkedThrough, null, 0, 0);
    }

    static Verification failed(long position, Long globalIndex, String eventIdentifier, Kind kind) {
        return new Verification(false, Math.max(0, position - 1), new Mismatch(position, globalIndex, eventIdentifier, kind),
                                0, 0);
    }

    Verification reaching(long head, long unchained) {
        return new Verification(ok, checkedThrough, firstMismatch, head, unchained);
    }
}
