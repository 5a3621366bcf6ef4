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
import tools.jackson.databind.annotation.JsonDeserialize;

import java.util.List;
import java.util.UUID;

/**
 * Similarity search over the caller's tenant's obligations. A read with a body (1536 numbers do
 * not fit a URL), hence the query API's one POST outside admin and audit; scope {@code read}.
 */
@RestController
@RequestMapping("/api/v1/obligations")
class ObligationSearchController {

    private final ObligationSearch search;

    ObligationSearchController(ObligationSearch search) {
        this.search = search;
    }

    /** {@code vector} is checked as it is read (see {@link SearchVectorDeserializer}); null when absent. */
    record SearchRequest(@JsonDeserialize(using = SearchVectorDeserializer.class) float[] vector, Integer limit,
                         UUID projectId, UUID sessionId, String status) {
    }

    record Items<T>(List<T> items) {
    }

    @PostMapping("/search")
    Items<Hit> search(@RequestBody SearchRequest request, @AuthenticationPrincipal Jwt jwt) {
        float[] vector = request.vector();
        if (vector == null) {
            throw new RequestValidationException("vector", "must hold exactly " + SearchVectorDeserializer.DIMENSIONS
                                                           + " numbers");
        }
        int limit = request.limit() == null ? 10 : request.limit();
        if (limit < 1 || limit > 100) {
            throw new RequestValidationException("limit", "must be between 1 and 100");
        }
        String status = SessionQueryController.wire(ObligationStatus.class, "status", request.status());
        return new Items<>(search.nearest(Caller.from(jwt).tenantId(), vector, limit,
                                          new ObligationSearch.Filter(request.projectId(), request.sessionId(), status,
                                                                      null, null)));
    }
}
