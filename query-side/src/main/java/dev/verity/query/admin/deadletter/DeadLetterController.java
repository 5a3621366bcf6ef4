package dev.verity.query.admin.deadletter;

import dev.verity.query.admin.deadletter.DeadLetters.DeadLetter;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.web.ProblemException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** Events the projections could not apply (scope {@code admin}): list them, retry or discard one by id. */
@RestController
@RequestMapping("/api/v1/admin/dead-letters")
class DeadLetterController {

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

    @GetMapping
    Items<DeadLetter> deadLetters(@RequestParam(required = false) String projection,
                                  @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        if (projection != null && projections.find(projection).isEmpty()) {
            throw ProblemException.notFound("projection");
        }
        return new Items<>(deadLetters.list(projection, limit));
    }

    /**
     * Re-processes the letter's sequence; 200 when it all went through, 409
     * {@code dead_letter_retry_failed} when an event failed again and stays parked.
     */
    @PostMapping("/{id}/retry")
    RetryOutcome retry(@PathVariable String id) {
        DeadLetter letter = deadLetter(id);
        List<DeadLetter> stillParked = deadLetters.retry(letter);
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

    @DeleteMapping("/{id}")
    ResponseEntity<Void> discard(@PathVariable String id) {
        deadLetters.discard(deadLetter(id));
        return ResponseEntity.noContent().build();
    }

    private DeadLetter deadLetter(String id) {
        return deadLetters.find(id).orElseThrow(() -> ProblemException.notFound("dead letter"));
    }
}
