package dev.verity.query.budget.query;

import dev.verity.events.budget.BudgetIds;
import dev.verity.query.budget.query.BudgetQueries.BudgetView;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.web.ReadYourWrites;
import jakarta.validation.constraints.Min;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A project's budget and its usage. {@code ETag} and {@code minVersion} are the budget's version
 * (what {@code PUT} answered); a project without a budget has no version, so it has no ETag and a
 * {@code minVersion} read waits until its budget is set.
 */
@RestController
class BudgetQueryController {

    private final BudgetQueries queries;
    private final ReadYourWrites readYourWrites;
    private final ReadYourWrites.Versions budgetVersions;

    BudgetQueryController(BudgetQueries queries, ReadYourWrites readYourWrites) {
        this.queries = queries;
        this.readYourWrites = readYourWrites;
        this.budgetVersions = queries::versions;
    }

    @GetMapping("/api/v1/projects/{projectId}/budget")
    CompletableFuture<ResponseEntity<BudgetView>> budget(@PathVariable UUID projectId,
                                                         @RequestParam(required = false) @Min(0) Long minVersion,
                                                         @AuthenticationPrincipal Jwt jwt) {
        UUID tenantId = Caller.from(jwt).tenantId();
        return readYourWrites.read(minVersion, budgetVersions, tenantId, BudgetIds.of(tenantId, projectId),
                                   () -> queries.budget(tenantId, projectId),
                                   budget -> budget.version() == null ? -1 : budget.version())
                             .thenApply(found -> {
                                 BudgetView budget = found.orElseThrow();
                                 ResponseEntity.BodyBuilder response = ResponseEntity.ok();
                                 if (budget.version() != null) {
                                     response.eTag("\"" + budget.version() + "\"");
                                 }
                                 return response.body(budget);
                             });
    }
}
