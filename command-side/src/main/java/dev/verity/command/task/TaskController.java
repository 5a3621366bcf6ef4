package dev.verity.command.task;

import dev.verity.command.platform.idempotency.IdempotencyHeaders;
import dev.verity.command.platform.security.Caller;
import dev.verity.command.platform.web.CommandSender;
import dev.verity.command.platform.web.IfMatch;
import dev.verity.command.platform.web.RequestValidationException;
import dev.verity.command.task.TaskCommand.AddAction;
import dev.verity.command.task.TaskCommand.AddStep;
import dev.verity.command.task.TaskCommand.AddTarget;
import dev.verity.command.task.TaskCommand.AssignTask;
import dev.verity.command.task.TaskCommand.BlockTask;
import dev.verity.command.task.TaskCommand.CompleteStep;
import dev.verity.command.task.TaskCommand.CompleteTask;
import dev.verity.command.task.TaskCommand.CreateTask;
import dev.verity.command.task.TaskCommand.FailStep;
import dev.verity.command.task.TaskCommand.StartStep;
import dev.verity.command.task.TaskCommand.StartTask;
import dev.verity.command.task.TaskCommand.SubmitAction;
import dev.verity.command.task.TaskCommand.UnblockTask;
import dev.verity.events.common.UuidV7;
import dev.verity.events.common.Wire;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The task command API. Each endpoint maps its request to one command and answers the id and
 * the task's version after it; reads are served by the query API, which {@code Location} names.
 */
@RestController
@RequestMapping("/api/v1/tasks")
class TaskController {

    private static final String IF_MATCH = "If-Match";
    private static final String CORRELATION_ID = "X-Correlation-Id";
    private static final String ACTION_TYPES =
            "FORM_SUBMIT|SINGLE_SELECT|MULTI_SELECT|TEXT_INPUT|FILE_UPLOAD|APPROVE_REJECT|EXTERNAL_LINK";

    record CreateTaskRequest(UUID id,
                             @NotNull UUID projectId,
                             @NotNull @Pattern(regexp = "PROVIDE|DECIDE|REVIEW|CONNECT") String type,
                             @NotBlank @Size(max = 255) String title,
                             @Size(max = 10_000) String description,
                             @Pattern(regexp = "low|medium|high|critical") String priority,
                             @Pattern(regexp = "user|agent") String assigneeType,
                             @Size(min = 1, max = 255) String assigneeId,
                             Instant dueDate,
                             @Size(max = 100) String componentKey,
                             UUID parentTaskId,
                             @Size(max = 100) List<@NotNull UUID> dependencies,
                             Map<String, Object> metadata) {
    }

    record AssignRequest(@NotNull @Pattern(regexp = "user|agent") String assigneeType,
                         @NotBlank @Size(max = 255) String assigneeId) {
    }

    record BlockRequest(@NotBlank @Size(max = 2000) String reason) {
    }

    record CompleteRequest(@Size(max = 10_000) String notes) {
    }

    record AddActionRequest(UUID id,
                            @NotNull @Pattern(regexp = ACTION_TYPES) String type,
                            @NotBlank @Size(max = 255) String label,
                            @Size(max = 10_000) String description,
                            Map<String, Object> config,
                            Integer displayOrder) {
    }

    record SubmissionRequest(@NotNull Map<String, Object> data) {
    }

    record AddTargetRequest(UUID id,
                            @NotNull @Pattern(regexp = "question|feature|spec_section") String targetType,
                            @NotNull UUID targetId,
                            Map<String, Object> metadata) {
    }

    record AddStepRequest(UUID id, @NotBlank @Size(max = 10_000) String action) {
    }

    record CompleteStepRequest(@Size(max = 100_000) String result) {
    }

    record FailStepRequest(@NotBlank @Size(max = 100_000) String error) {
    }

    /** The body of a command that takes none: absent or {@code {}}, so a stray field is a 400 naming it. */
    record NoFieldsRequest() {
    }

    record CommandResponse(UUID id, long version) {
    }

    private final CommandSender sender;
    private final String queryBaseUrl;

    TaskController(CommandSender sender, @Value("${verity.query.base-url}") String queryBaseUrl) {
        this.sender = sender;
        this.queryBaseUrl = queryBaseUrl.replaceAll("/+$", "");
    }

    @PostMapping
    ResponseEntity<CommandResponse> create(@Valid @RequestBody CreateTaskRequest request,
                                           @AuthenticationPrincipal Jwt jwt,
                                           @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        Caller caller = Caller.from(jwt);
        UUID taskId = request.id() != null ? request.id() : UuidV7.generate();
        CreateTask command = new CreateTask(
                taskId, caller.tenantId(), request.projectId(), parse(TaskType.class, "type", request.type()),
                request.title(), request.description(), parse(TaskPriority.class, "priority", request.priority()),
                parse(AssigneeType.class, "assigneeType", request.assigneeType()), request.assigneeId(),
                request.dueDate(), request.componentKey(), request.parentTaskId(), request.dependencies(),
                request.metadata(), caller.actorId());
        CommandResult result = sender.send(command, caller, correlationId);
        return created(taskUri(taskId), result);
    }

    @PostMapping("/{taskId}/assign")
    ResponseEntity<CommandResponse> assign(@PathVariable UUID taskId, @Valid @RequestBody AssignRequest request,
                                           @AuthenticationPrincipal Jwt jwt,
                                           @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                           @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        return ok(jwt, correlationId, caller -> new AssignTask(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch),
                parse(AssigneeType.class, "assigneeType", request.assigneeType()), request.assigneeId()));
    }

    @PostMapping("/{taskId}/start")
    ResponseEntity<CommandResponse> start(@PathVariable UUID taskId,
                                          @RequestBody(required = false) NoFieldsRequest request,
                                          @AuthenticationPrincipal Jwt jwt,
                                          @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                          @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        return ok(jwt, correlationId,
                  caller -> new StartTask(taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch)));
    }

    @PostMapping("/{taskId}/block")
    ResponseEntity<CommandResponse> block(@PathVariable UUID taskId, @Valid @RequestBody BlockRequest request,
                                          @AuthenticationPrincipal Jwt jwt,
                                          @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                          @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        return ok(jwt, correlationId, caller -> new BlockTask(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), request.reason()));
    }

    @PostMapping("/{taskId}/unblock")
    ResponseEntity<CommandResponse> unblock(@PathVariable UUID taskId,
                                            @RequestBody(required = false) NoFieldsRequest request,
                                            @AuthenticationPrincipal Jwt jwt,
                                            @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                            @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        return ok(jwt, correlationId,
                  caller -> new UnblockTask(taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch)));
    }

    @PostMapping("/{taskId}/complete")
    ResponseEntity<CommandResponse> complete(@PathVariable UUID taskId,
                                             @Valid @RequestBody(required = false) CompleteRequest request,
                                             @AuthenticationPrincipal Jwt jwt,
                                             @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                             @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        String notes = request == null ? null : request.notes();
        return ok(jwt, correlationId, caller -> new CompleteTask(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), notes, caller.actorId()));
    }

    @PostMapping("/{taskId}/actions")
    ResponseEntity<CommandResponse> addAction(@PathVariable UUID taskId, @Valid @RequestBody AddActionRequest request,
                                              @AuthenticationPrincipal Jwt jwt,
                                              @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                              @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        Caller caller = Caller.from(jwt);
        UUID actionId = request.id() != null ? request.id() : UuidV7.generate();
        CommandResult result = sender.send(new AddAction(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), actionId,
                parse(ActionType.class, "type", request.type()), request.label(), request.description(),
                request.config(), request.displayOrder() == null ? 0 : request.displayOrder()), caller, correlationId);
        return created(taskUri(taskId), result);
    }

    /** 201 for the first submission under a key, 200 with the same id (marked replayed) for a retry of it. */
    @PostMapping("/{taskId}/actions/{actionId}/submissions")
    ResponseEntity<CommandResponse> submit(@PathVariable UUID taskId, @PathVariable UUID actionId,
                                           @Valid @RequestBody SubmissionRequest request,
                                           @AuthenticationPrincipal Jwt jwt,
                                           @RequestHeader(name = IdempotencyHeaders.KEY, required = false) String idempotencyKey,
                                           @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                           @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 255) {
            throw new RequestValidationException("Idempotency-Key", "header is required (1 to 255 characters)");
        }
        Caller caller = Caller.from(jwt);
        CommandResult result = sender.send(new SubmitAction(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), actionId, UuidV7.generate(),
                idempotencyKey, request.data(), caller.actorId()), caller, correlationId);
        URI location = URI.create(taskUri(taskId) + "/submissions");
        if (result.created()) {
            return created(location, result);
        }
        return answer(HttpStatus.OK, location, result).header(IdempotencyHeaders.REPLAYED, "true")
                                                       .body(new CommandResponse(result.id(), result.version()));
    }

    @PostMapping("/{taskId}/targets")
    ResponseEntity<CommandResponse> addTarget(@PathVariable UUID taskId, @Valid @RequestBody AddTargetRequest request,
                                              @AuthenticationPrincipal Jwt jwt,
                                              @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                              @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        Caller caller = Caller.from(jwt);
        UUID rowId = request.id() != null ? request.id() : UuidV7.generate();
        CommandResult result = sender.send(new AddTarget(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), rowId,
                parse(TargetType.class, "targetType", request.targetType()), request.targetId(), request.metadata()),
                caller, correlationId);
        return created(taskUri(taskId), result);
    }

    @PostMapping("/{taskId}/steps")
    ResponseEntity<CommandResponse> addStep(@PathVariable UUID taskId, @Valid @RequestBody AddStepRequest request,
                                            @AuthenticationPrincipal Jwt jwt,
                                            @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                            @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        Caller caller = Caller.from(jwt);
        UUID stepId = request.id() != null ? request.id() : UuidV7.generate();
        CommandResult result = sender.send(new AddStep(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), stepId, request.action()), caller, correlationId);
        return created(taskUri(taskId), result);
    }

    @PostMapping("/{taskId}/steps/{stepId}/start")
    ResponseEntity<CommandResponse> startStep(@PathVariable UUID taskId, @PathVariable UUID stepId,
                                              @RequestBody(required = false) NoFieldsRequest request,
                                              @AuthenticationPrincipal Jwt jwt,
                                              @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                              @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        return ok(jwt, correlationId,
                  caller -> new StartStep(taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), stepId));
    }

    @PostMapping("/{taskId}/steps/{stepId}/complete")
    ResponseEntity<CommandResponse> completeStep(@PathVariable UUID taskId, @PathVariable UUID stepId,
                                                 @Valid @RequestBody(required = false) CompleteStepRequest request,
                                                 @AuthenticationPrincipal Jwt jwt,
                                                 @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                                 @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        String stepResult = request == null ? null : request.result();
        return ok(jwt, correlationId, caller -> new CompleteStep(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), stepId, stepResult));
    }

    @PostMapping("/{taskId}/steps/{stepId}/fail")
    ResponseEntity<CommandResponse> failStep(@PathVariable UUID taskId, @PathVariable UUID stepId,
                                             @Valid @RequestBody FailStepRequest request,
                                             @AuthenticationPrincipal Jwt jwt,
                                             @RequestHeader(name = IF_MATCH, required = false) String ifMatch,
                                             @RequestHeader(name = CORRELATION_ID, required = false) String correlationId) {
        return ok(jwt, correlationId, caller -> new FailStep(
                taskId, caller.tenantId(), IfMatch.expectedVersion(ifMatch), stepId, request.error()));
    }

    private ResponseEntity<CommandResponse> ok(Jwt jwt, String correlationId, Function<Caller, TaskCommand> command) {
        Caller caller = Caller.from(jwt);
        TaskCommand taskCommand = command.apply(caller);
        CommandResult result = sender.send(taskCommand, caller, correlationId);
        return respond(HttpStatus.OK, taskUri(taskCommand.taskId()), result);
    }

    private ResponseEntity<CommandResponse> created(URI location, CommandResult result) {
        return respond(HttpStatus.CREATED, location, result);
    }

    private static ResponseEntity<CommandResponse> respond(HttpStatus status, URI location, CommandResult result) {
        return answer(status, location, result).body(new CommandResponse(result.id(), result.version()));
    }

    private static ResponseEntity.BodyBuilder answer(HttpStatus status, URI location, CommandResult result) {
        return ResponseEntity.status(status).location(location).eTag("\"" + result.version() + "\"");
    }

    private URI taskUri(UUID taskId) {
        return URI.create(queryBaseUrl + "/api/v1/tasks/" + taskId);
    }

    private static <E extends Enum<E> & Wire> E parse(Class<E> type, String field, String value) {
        if (value == null) {
            return null;
        }
        return Wire.parse(type, value)
                   .orElseThrow(() -> new RequestValidationException(field, "is not a valid " + type.getSimpleName()));
    }
}
