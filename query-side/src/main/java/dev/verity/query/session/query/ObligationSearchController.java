package dev.verity.query.session.query;

import dev.verity.events.session.ObligationStatus;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.web.RequestValidationException;
import dev.verity.query.session.query.ObligationSearch.Hit;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/**
 * Similarity search over the caller's tenant's obligations. A read with a body (1536 numbers do
 * not fit a URL), hence the query API's one POST outside admin and audit; scope {@code read}.
 */
@RestController
@RequestMapping("/api/v1/obligations")
class ObligationSearchController {

    static final int DIMENSIONS = 1536;

    private final ObligationSearch search;

    ObligationSearchController(ObligationSearch search) {
        this.search = search;
    }

    record SearchRequest(List<Double> vector, Integer limit, UUID projectId, UUID sessionId, String status) {
    }

    record Items<T>(List<T> items) {
    }

    @PostMapping("/search")
    Items<Hit> search(@RequestBody SearchRequest request, @AuthenticationPrincipal Jwt jwt) {
        float[] vector = vector(request.vector());
        int limit = request.limit() == null ? 10 : request.limit();
        if (limit < 1 || limit > 100) {
            throw new RequestValidationException("limit", "must be between 1 and 100");
        }
        String status = SessionQueryController.wire(ObligationStatus.class, "status", request.status());
        return new Items<>(search.nearest(Caller.from(jwt).tenantId(), vector, limit,
                                          new ObligationSearch.Filter(request.projectId(), request.sessionId(), status,
                                                                      null, null)));
    }

    /** 1536 numbers, each finite as a 32-bit float (what pgvector stores), not all zero (no cosine distance). */
    static float[] vector(List<Double> numbers) {
        if (numbers == null || numbers.size() != DIMENSIONS) {
            throw new RequestValidationException("vector", "must hold exactly " + DIMENSIONS + " numbers");
        }
        float[] vector = new float[DIMENSIONS];
        boolean nonZero = false;
        for (int i = 0; i < DIMENSIONS; i++) {
            Double number = numbers.get(i);
            vector[i] = number == null ? Float.NaN : number.floatValue();
            if (!Float.isFinite(vector[i])) {
                throw new RequestValidationException("vector[" + i + "]", "must be a finite 32-bit number");
            }
            nonZero |= vector[i] != 0;
        }
        if (!nonZero) {
            throw new RequestValidationException("vector", "must not be all zeros: it has no cosine distance");
        }
        return vector;
    }
}
