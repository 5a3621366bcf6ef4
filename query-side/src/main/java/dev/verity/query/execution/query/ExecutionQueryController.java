package dev.verity.query.execution.query;

import dev.verity.events.common.Wire;
import dev.verity.events.execution.ExecutionStatus;
import dev.verity.query.execution.query.ExecutionQueries.ExecutionDetail;
import dev.verity.query.execution.query.ExecutionQueries.ExecutionFilter;
import dev.verity.query.execution.query.ExecutionQueries.ExecutionRow;
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

/** The agent execution read API; every read runs as the caller's tenant. Same conventions as the task reads. */
@RestController
@RequestMapping("/api/v1/executions")
class ExecutionQueryController {

    private final ExecutionQueries queries;
    private final ReadYourWrites readYourWrites;
    /** One instance, so every execution read waiting on minVersion shares one version look per tenant. */
    private final ReadYourWrites.Versions executionVersions;

    ExecutionQueryController(ExecutionQueries queries, ReadYourWrites readYourWrites) {
        this.queries = queries;
        this.readYourWrites = readYourWrites;
        this.executionVersions = queries::versions;
    }

    record Page(List<ExecutionRow> items, String nextCursor) {
    }

    /** {@code ETag} is the execution's version, the number the command API returned. */
    @GetMapping("/{id}")
    CompletableFuture<ResponseEntity<ExecutionDetail>> execution(@PathVariable UUID id,
                                                                 @RequestParam(required = false) @Min(0) Long minVersion,
                                                                 @AuthenticationPrincipal Jwt jwt) {
        UUID tenantId = Caller.from(jwt).tenantId();
        return readYourWrites.read(minVersion, executionVersions, tenantId, id, () -> queries.execution(tenantId, id),
                                   e -> e.execution().version())
                             .thenApply(found -> found.map(e -> ResponseEntity.ok()
                                                                  .eTag("\"" + e.execution().version() + "\"")
                                                                  .body(e))
                                                      .orElseThrow(() -> ProblemException.notFound("execution")));
    }

    @GetMapping
    Page executions(@RequestParam(required = false) UUID projectId,
                    @RequestParam(required = false) String status,
                    @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
                    @RequestParam(required = false) String cursor,
                    @AuthenticationPrincipal Jwt jwt) {
        String wanted = status == null ? null : Wire.parse(ExecutionStatus.class, status).map(Wire::wire)
                .orElseThrow(() -> new RequestValidationException("status", "is not a known status"));
        KeysetPage<ExecutionRow> page = queries.executions(Caller.from(jwt).tenantId(), new ExecutionFilter(projectId, wanted),
                                                UuidCursor.decode(cursor), limit);
        return new Page(page.items(), page.last() == null ? null : UuidCursor.encode(page.last()));
    }
}
