package dev.verity.query.audit.ledger;

import dev.verity.query.platform.web.RequestValidationException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;

/**
 * Tamper evidence for auditors (scope {@code audit}). The ledger is one chain over the whole
 * event store, so the digest and the verification are platform-wide, the same for every tenant's
 * auditor: a per-tenant chain could not show that another tenant's events were removed or
 * reordered around it. What a caller sees beyond its tenant is positions, global indexes and
 * event ids, never payloads.
 */
@RestController
@RequestMapping("/api/v1/audit")
class LedgerController {

    private final Ledger ledger;
    private final LedgerVerifier verifier;

    LedgerController(Ledger ledger, LedgerVerifier verifier) {
        this.ledger = ledger;
        this.verifier = verifier;
    }

    /**
     * The chain's value after {@code position} events. Before anything is chained that is the
     * chain's starting value: position 0, 32 zero bytes, and no {@code at}. Keeping that shape
     * (instead of a 404) means the genesis is a digest like any other and verifies the same way.
     */
    record Digest(long position, String hash, Instant at) {
    }

    /** Both fields, or neither (verify store against ledger only). */
    record DigestRequest(Long position, String hash) {
    }

    @GetMapping("/digest")
    Digest digest() {
        return ledger.newest()
                     .map(entry -> new Digest(entry.position(), LedgerHash.hex(entry.hash()), entry.chainedAt()))
                     .orElseGet(() -> new Digest(0, LedgerHash.hex(LedgerHash.genesis()), null));
    }

    @PostMapping("/ledger/verify")
    Verification verify(@RequestBody(required = false) DigestRequest request) {
        return verifier.verify(savedDigest(request));
    }

    private SavedDigest savedDigest(DigestRequest request) {
        if (request == null || (request.position() == null && request.hash() == null)) {
            return null;
        }
        if (request.position() == null) {
            throw new RequestValidationException("position", "is required with hash");
        }
        if (request.hash() == null) {
            throw new RequestValidationException("hash", "is required with position");
        }
        if (request.position() < 0) {
            throw new RequestValidationException("position", "must not be negative");
        }
        if (!LedgerHash.isHex(request.hash())) {
            throw new RequestValidationException("hash", "must be " + LedgerHash.LENGTH * 2
                    + " hexadecimal characters, as GET /api/v1/audit/digest returns it");
        }
        // The ledger only grows, so a position within it now is still within it when the verifier runs.
        long head = ledger.newest().map(LedgerEntry::position).orElse(0L);
        if (request.position() > head) {
            throw new RequestValidationException("position", "is beyond the ledger's newest position " + head
                    + "; a digest this platform issued can only be beyond it if the ledger was truncated");
        }
        return new SavedDigest(request.position(), LedgerHash.fromHex(request.hash()));
    }
}
