package dev.verity.command.budget;

import dev.verity.command.budget.BudgetCommand.SetBudget;
import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.web.CommandContext;
import dev.verity.command.platform.web.CommandSender;
import dev.verity.command.platform.web.CommandSender.CommandResponse;
import dev.verity.command.platform.web.QueryLocations;
import dev.verity.events.budget.BudgetIds;
import dev.verity.events.budget.OnLimitReached;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.util.UUID;

import static dev.verity.command.platform.web.RequestValues.wire;

/**
 * A project's budget: {@code PUT} sets all of it (absent fields are the seed's defaults). 201 when
 * it created the budget, 200 when it replaced it or found it unchanged; the id is the budget's
 * (derived from tenant and project), the version the budget's.
 */
@RestController
@RequestMapping("/api/v1/projects/{projectId}/budget")
class BudgetController {

    record BudgetRequest(Long maxTokens,
                         BigDecimal maxCostUsd,
                         BigDecimal warningThreshold,
                         @Pattern(regexp = "pause|fail|warn") String onLimitReached) {
    }

    private final CommandSender sender;
    private final QueryLocations locations;

    BudgetController(CommandSender sender, QueryLocations locations) {
        this.sender = sender;
        this.locations = locations;
    }

    @PutMapping
    ResponseEntity<CommandResponse> set(@PathVariable UUID projectId,
                                        @Valid @RequestBody(required = false) BudgetRequest request,
                                        CommandContext context) {
        BudgetRequest body = request == null ? new BudgetRequest(null, null, null, null) : request;
        CommandResult result = sender.send(new SetBudget(
                BudgetIds.of(context.tenantId(), projectId), context.tenantId(), context.expectedVersion(), projectId,
                body.maxTokens(), body.maxCostUsd(), body.warningThreshold(),
                wire(OnLimitReached.class, "onLimitReached", body.onLimitReached())), context);
        HttpStatus status = result.created() && result.version() == 0 ? HttpStatus.CREATED : HttpStatus.OK;
        return ResponseEntity.status(status)
                             .location(locations.of("projects", projectId, "budget"))
                             .eTag("\"" + result.version() + "\"")
                             .body(new CommandResponse(result.id(), result.version()));
    }
}
