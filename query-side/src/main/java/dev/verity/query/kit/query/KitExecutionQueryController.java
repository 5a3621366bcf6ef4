package dev.verity.query.kit.query;

import dev.verity.events.common.Wire;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.query.kit.query.KitExecutionQueries.KitExecutionDetail;
import dev.verity.query.kit.query.KitExecutionQueries.KitExecutionFilter;
import dev.verity.query.kit.query.KitExecutionQueries.KitExecutionRow;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.tenancy.KeysetPage;
import dev.verity.query.platform.web.ProblemException;
import dev.verity.query.platform.web.ReadYourWrites;
import dev.verity.query.platform.web.RequestValidationException;
import dev.verity.query.platform.web.UuidCursor;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The kit execution read API; every read runs as the caller's tenant. */
@RestController
@RequestMapping("/api/v1/kit-executions")
class KitExecutionQueryController {

    private final KitExecutionQueries queries;
    private final ReadYourWrites readYourWrites;
    /** One instance, so every read waiting on minVersion shares one version look per tenant. */
    private final ReadYourWrites.Versions executionVersions;

    KitExecutionQueryController(KitExecutionQueries queries, ReadYourWrites readYourWrites) {
        this.queries = queries;
        this.readYourWrites = readYourWrites;
        this.executionVersions = queries::versions;
    }

    record Page(List<KitExecutionRow> items, String nextCursor) {
    }

    /**
     * {@code ETag} is the execution's version, the same number the command API returned. With
     * {@code minVersion} the answer may come later, without holding a request thread meanwhile.
     */
    @GetMapping("/{id}")
    CompletableFuture<ResponseEntity<KitExecutionDetail>> kitExecution(
            @PathVariable UUID id, @RequestParam(required = false) @Min(0) Long minVersion,
            @AuthenticationPrincipal Jwt jwt) {
        UUID tenantId = Caller.from(jwt).tenantId();
        return readYourWrites.read(minVersion, executionVersions, tenantId, id,
                                   () -> queries.kitExecution(tenantId, id), e -> e.execution().version())
                             .thenApply(found -> found.map(execution -> ResponseEntity.ok()
                                                                   .eTag("\"" + execution.execution().version() + "\"")
                                                                   .body(execution))
                                                      .orElseThrow(() -> ProblemException.notFound("kit execution")));
    }

    @GetMapping
    Page kitExecutions(@RequestParam(required = false) UUID projectId,
                       @RequestParam(required = false) String status,
                       @RequestParam(required = false) String kitId,
                       @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
                       @RequestParam(required = false) String cursor,
                       @AuthenticationPrincipal Jwt jwt) {
        KitExecutionFilter filter = new KitExecutionFilter(projectId, status(status), kitId);
        KeysetPage<KitExecutionRow> page = queries.kitExecutions(Caller.from(jwt).tenantId(), filter, UuidCursor.decode(cursor),
                                                      limit);
        return new Page(page.items(), page.last() == null ? null : UuidCursor.encode(page.last()));
    }

    /** The filter takes the spelling the API returns ({@code partial}). */
    private static String status(String value) {
        if (value == null) {
            return null;
        }
        return Wire.parse(KitExecutionStatus.class, value)
                   .map(Wire::wire)
                   .orElseThrow(() -> new RequestValidationException("status", "is not a known status"));
    }
}
