package dev.verity.command.kit;

import dev.verity.command.kit.KitExecutionCommand.CompleteKitExecution;
import dev.verity.command.kit.KitExecutionCommand.CreateKitExecution;
import dev.verity.command.kit.KitExecutionCommand.FailKitExecution;
import dev.verity.command.kit.KitExecutionCommand.RecordKitOutput;
import dev.verity.command.kit.KitExecutionCommand.StartKitExecution;
import dev.verity.command.platform.web.CommandContext;
import dev.verity.command.platform.web.CommandSender;
import dev.verity.command.platform.web.CommandSender.CommandResponse;
import dev.verity.command.platform.web.QueryLocations;
import dev.verity.events.common.UuidV7;
import dev.verity.events.kit.KitOutputStatus;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.net.URI;
import java.util.Map;
import java.util.UUID;

import static dev.verity.command.platform.web.RequestValues.idOrNew;
import static dev.verity.command.platform.web.RequestValues.wire;

/**
 * The kit execution command API. Each endpoint maps its request to one command and answers the id
 * and the execution's version after it; reads are served by the query API, which {@code Location}
 * names. Counts, token totals and the run time are not taken from the client: the projection
 * derives them from the outputs and the events' times.
 */
@RestController
@RequestMapping("/api/v1/kit-executions")
class KitExecutionController {

    record CreateRequest(UUID id,
                         @NotNull UUID projectId,
                         @NotBlank @Size(max = 100) String kitId,
                         @NotBlank @Size(max = 50) String kitVersion,
                         UUID kitDefinitionId,
                         @NotNull Map<String, Object> inputSnapshot,
                         @Size(min = 1, max = 255) String workflowRunId,
                         @Size(min = 1, max = 255) String inngestRunId) {
    }

    record OutputRequest(@NotBlank @Size(max = 100) String outputId,
                         @NotBlank @Size(max = 255) String filename,
                         @NotBlank @Size(max = 20) String outputType,
                         @NotNull @Pattern(regexp = "valid|warnings|failed") String status,
                         @PositiveOrZero Integer validationErrors,
                         @PositiveOrZero Integer validationWarnings,
                         @PositiveOrZero Integer validationAutoFixed,
                         @PositiveOrZero Integer repairAttempts,
                         Map<String, Object> validationDetails,
                         @Size(min = 1, max = 500) String contentPath,
                         @PositiveOrZero Integer contentSizeBytes,
                         @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hexadecimal digits (SHA-256)")
                         String contentHash,
                         @PositiveOrZero Integer tokenUsagePrompt,
                         @PositiveOrZero Integer tokenUsageCompletion) {
    }

    /** {@code estimatedCostUsd} goes to a NUMERIC(10, 6) column: more decimals would be rounded, so they are refused. */
    record CompleteRequest(@PositiveOrZero
                           @Digits(integer = 4, fraction = 6,
                                   message = "must have at most 4 digits before and 6 after the decimal point;"
                                             + " amounts are stored exactly, never rounded")
                           BigDecimal estimatedCostUsd,
                           @Size(min = 1, max = 500) String bundlePath,
                           @PositiveOrZero Integer bundleSizeBytes) {
    }

    record FailRequest(@NotBlank @Size(max = 100_000) String errorMessage,
                       @Size(min = 1, max = 100) String errorStep,
                       Map<String, Object> errorDetails) {
    }

    /** The body of a command that takes none: absent or {@code {}}, so a stray field is a 400 naming it. */
    record NoFieldsRequest() {
    }

    private final CommandSender sender;
    private final QueryLocations locations;

    KitExecutionController(CommandSender sender, QueryLocations locations) {
        this.sender = sender;
        this.locations = locations;
    }

    @PostMapping
    ResponseEntity<CommandResponse> create(@Valid @RequestBody CreateRequest request, CommandContext context) {
        UUID id = idOrNew(request.id());
        return sender.created(new CreateKitExecution(
                id, context.tenantId(), request.projectId(), context.actorId(), request.kitDefinitionId(),
                request.kitId(), request.kitVersion(), request.inputSnapshot(), request.workflowRunId(),
                request.inngestRunId()), context, execution(id));
    }

    @PostMapping("/{id}/start")
    ResponseEntity<CommandResponse> start(@PathVariable UUID id, @RequestBody(required = false) NoFieldsRequest request,
                                          CommandContext context) {
        return sender.ok(new StartKitExecution(id, context.tenantId(), context.expectedVersion()), context,
                         execution(id));
    }

    /** 201 with the output row's id; the execution's {@code GET} serves it among its outputs. */
    @PostMapping("/{id}/outputs")
    ResponseEntity<CommandResponse> recordOutput(@PathVariable UUID id, @Valid @RequestBody OutputRequest request,
                                                 CommandContext context) {
        return sender.created(new RecordKitOutput(
                id, context.tenantId(), context.expectedVersion(), UuidV7.generate(), request.outputId(),
                request.filename(), request.outputType(), wire(KitOutputStatus.class, "status", request.status()),
                orZero(request.validationErrors()), orZero(request.validationWarnings()),
                orZero(request.validationAutoFixed()), orZero(request.repairAttempts()), request.validationDetails(),
                request.contentPath(), request.contentSizeBytes(), request.contentHash(),
                orZero(request.tokenUsagePrompt()), orZero(request.tokenUsageCompletion())), context, execution(id));
    }

    @PostMapping("/{id}/complete")
    ResponseEntity<CommandResponse> complete(@PathVariable UUID id,
                                             @Valid @RequestBody(required = false) CompleteRequest request,
                                             CommandContext context) {
        CompleteRequest given = request == null ? new CompleteRequest(null, null, null) : request;
        return sender.ok(new CompleteKitExecution(id, context.tenantId(), context.expectedVersion(),
                                                  given.estimatedCostUsd(), given.bundlePath(),
                                                  given.bundleSizeBytes()), context, execution(id));
    }

    @PostMapping("/{id}/fail")
    ResponseEntity<CommandResponse> fail(@PathVariable UUID id, @Valid @RequestBody FailRequest request,
                                         CommandContext context) {
        return sender.ok(new FailKitExecution(id, context.tenantId(), context.expectedVersion(),
                                              request.errorMessage(), request.errorStep(), request.errorDetails()),
                         context, execution(id));
    }

    private static int orZero(Integer count) {
        return count == null ? 0 : count;
    }

    private URI execution(UUID id) {
        return locations.of("kit-executions", id);
    }
}
