package dev.verity.query.admin.deadletter;

import dev.verity.query.admin.deadletter.DeadLetters.DeadLetter;
import dev.verity.query.admin.deadletter.DeadLetters.Filter;
import dev.verity.query.admin.deadletter.DeadLetters.Sequence;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.security.Reach;
import dev.verity.query.platform.web.ProblemException;
import dev.verity.query.platform.web.RequestValidationException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Events the projections could not apply: list them, retry or discard one by id, or many at once
 * by projection, cause (exception class) and tenant. Scope {@code admin} reaches the caller's own
 * tenant's letters, scope {@code operator} every tenant's ({@link Reach}); a letter out of reach
 * answers 404 exactly like an unknown one.
 */
@RestController
@RequestMapping("/api/v1/admin/dead-letters")
class DeadLetterController {

    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    private final DeadLetters deadLetters;
    private final Projections projections;

    DeadLetterController(DeadLetters deadLetters, Projections projections) {
        this.deadLetters = deadLetters;
        this.projections = projections;
    }

    record Items<T>(List<T> items) {
    }

    /** {@code outcome} is {@code processed}: the letter's whole sequence went through and left the queue. */
    record RetryOutcome(String id, String projection, String sequence, String outcome) {
    }

    /**
     * A bulk retry: {@code sequences} records were retried, {@code processed} of them went through
     * and left the queue, {@code failed} failed again and stay parked ({@code stillParked} letters).
     */
    record BulkRetryOutcome(int sequences, int processed, int failed, int stillParked) {
    }

    /** A bulk discard: {@code discarded} letters are gone. */
    record BulkDiscardOutcome(int discarded) {
    }

    @GetMapping
    Items<DeadLetter> deadLetters(@AuthenticationPrincipal Jwt jwt,
                                  @RequestParam(required = false) String projection,
                                  @RequestParam(required = false) String cause,
                                  @RequestParam(required = false) String tenantId,
                                  @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return new Items<>(deadLetters.list(Reach.of(jwt), filter(projection, cause, tenantId, true), limit));
    }

    /**
     * Re-processes the letter's sequence; 200 when it all went through, 409
     * {@code dead_letter_retry_failed} when an event failed again and stays parked.
     */
    @PostMapping("/{id}/retry")
    RetryOutcome retry(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        Reach reach = Reach.of(jwt);
        DeadLetter letter = deadLetter(reach, id);
        List<DeadLetter> stillParked = deadLetters.retry(reach, letter);
        if (!stillParked.isEmpty()) {
            DeadLetter first = stillParked.get(0);
            String cause = first.cause() == null ? "it is still parked" : first.cause().message();
            throw ProblemException.conflict("dead_letter_retry_failed",
                                            "Event " + first.eventIdentifier() + " of sequence " + letter.sequence()
                                            + " failed again and stays parked (" + stillParked.size()
                                            + " in its sequence): " + cause);
        }
        return new RetryOutcome(letter.id(), letter.projection(), letter.sequence(), "processed");
    }

    /**
     * Retries every parked record the filters select (oldest first, at most {@code limit}), each
     * sequence on its own as the single retry does; always 200 with the counts.
     */
    @PostMapping("/retry")
    BulkRetryOutcome retryAll(@AuthenticationPrincipal Jwt jwt,
                              @RequestParam(required = false) String projection,
                              @RequestParam(required = false) String cause,
                              @RequestParam(required = false) String tenantId,
                              @RequestParam(defaultValue = "1000") @Min(1) @Max(100000) int limit) {
        Reach reach = Reach.of(jwt);
        List<Sequence> sequences = deadLetters.sequences(reach, filter(projection, cause, tenantId, true), limit);
        int processed = 0;
        int stillParked = 0;
        for (Sequence sequence : sequences) {
            if (projections.find(sequence.projection()).isEmpty()) {
                stillParked += sequence.letters();
                continue;
            }
            List<DeadLetter> left = deadLetters.retry(reach, sequence);
            if (left.isEmpty()) {
                processed++;
            } else {
                stillParked += left.size();
            }
        }
        return new BulkRetryOutcome(sequences.size(), processed, sequences.size() - processed, stillParked);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> discard(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        deadLetters.discard(deadLetter(Reach.of(jwt), id));
        return ResponseEntity.noContent().build();
    }

    /**
     * Discards every letter of the parked records the filters select. At least one filter is
     * required, so that no call empties every queue by accident. Projections that no longer exist
     * are accepted: their letters can only be discarded.
     */
    @DeleteMapping
    BulkDiscardOutcome discardAll(@AuthenticationPrincipal Jwt jwt,
                                  @RequestParam(required = false) String projection,
                                  @RequestParam(required = false) String cause,
                                  @RequestParam(required = false) String tenantId) {
        if (projection == null && cause == null && tenantId == null) {
            throw new RequestValidationException("projection",
                    "give at least one of projection, cause and tenantId to discard letters in bulk");
        }
        return new BulkDiscardOutcome(deadLetters.discard(Reach.of(jwt), filter(projection, cause, tenantId, false)));
    }

    private Filter filter(String projection, String cause, String tenantId, boolean knownProjection) {
        if (projection != null && knownProjection && projections.find(projection).isEmpty()) {
            throw ProblemException.notFound("projection");
        }
        if (cause != null && !CLASS_NAME.matcher(cause).matches()) {
            throw new RequestValidationException("cause", "must be an exception class name, such as"
                    + " org.springframework.dao.DuplicateKeyException or DuplicateKeyException");
        }
        return new Filter(projection, cause, tenant(tenantId));
    }

    private static UUID tenant(String tenantId) {
        if (tenantId == null) {
            return null;
        }
        RequestValidationException invalid = new RequestValidationException("tenantId", "must be a UUID");
        if (tenantId.length() != 36) {
            throw invalid;
        }
        try {
            return UUID.fromString(tenantId);
        } catch (IllegalArgumentException e) {
            throw invalid;
        }
    }

    private DeadLetter deadLetter(Reach reach, String id) {
        return deadLetters.find(reach, id).orElseThrow(() -> ProblemException.notFound("dead letter"));
    }
}
