package dev.verity.command.task;

import dev.verity.command.platform.idempotency.IdempotencyHeaders;
import dev.verity.command.platform.web.CommandContext;
import dev.verity.command.platform.web.CommandSender;
import dev.verity.command.platform.web.CommandSender.CommandResponse;
import dev.verity.command.platform.web.QueryLocations;
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
import org.springframework.http.ResponseEntity;
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

import static dev.verity.command.platform.web.RequestValues.idOrNew;
import static dev.verity.command.platform.web.RequestValues.wire;

/**
 * The task command API. Each endpoint maps its request to one command and answers the id and
 * the task's version after it; reads are served by the query API, which {@code Location} names.
 * The body's own errors come first: the {@link CommandContext} parameter follows it.
 */
@RestController
@RequestMapping("/api/v1/tasks")
class TaskController {

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

    private final CommandSender sender;
    private final QueryLocations locations;

    TaskController(CommandSender sender, QueryLocations locations) {
        this.sender = sender;
        this.locations = locations;
    }

    @PostMapping
    ResponseEntity<CommandResponse> create(@Valid @RequestBody CreateTaskRequest request, CommandContext context) {
        UUID taskId = idOrNew(request.id());
        return sender.created(new CreateTask(
                taskId, context.tenantId(), request.projectId(), wire(TaskType.class, "type", request.type()),
                request.title(), request.description(), wire(TaskPriority.class, "priority", request.priority()),
                wire(AssigneeType.class, "assigneeType", request.assigneeType()), request.assigneeId(),
                request.dueDate(), request.componentKey(), request.parentTaskId(), request.dependencies(),
                request.metadata(), context.actorId()), context, task(taskId));
    }

    @PostMapping("/{taskId}/assign")
    ResponseEntity<CommandResponse> assign(@PathVariable UUID taskId, @Valid @RequestBody AssignRequest request,
                                           CommandContext context) {
        return sender.ok(new AssignTask(taskId, context.tenantId(), context.expectedVersion(),
                                        wire(AssigneeType.class, "assigneeType", request.assigneeType()),
                                        request.assigneeId()), context, task(taskId));
    }

    @PostMapping("/{taskId}/start")
    ResponseEntity<CommandResponse> start(@PathVariable UUID taskId, @RequestBody(required = false) NoFieldsRequest request,
                                          CommandContext context) {
        return sender.ok(new StartTask(taskId, context.tenantId(), context.expectedVersion()), context, task(taskId));
    }

    @PostMapping("/{taskId}/block")
    ResponseEntity<CommandResponse> block(@PathVariable UUID taskId, @Valid @RequestBody BlockRequest request,
                                          CommandContext context) {
        return sender.ok(new BlockTask(taskId, context.tenantId(), context.expectedVersion(), request.reason()),
                         context, task(taskId));
    }

    @PostMapping("/{taskId}/unblock")
    ResponseEntity<CommandResponse> unblock(@PathVariable UUID taskId,
                                            @RequestBody(required = false) NoFieldsRequest request,
                                            CommandContext context) {
        return sender.ok(new UnblockTask(taskId, context.tenantId(), context.expectedVersion()), context, task(taskId));
    }

    @PostMapping("/{taskId}/complete")
    ResponseEntity<CommandResponse> complete(@PathVariable UUID taskId,
                                             @Valid @RequestBody(required = false) CompleteRequest request,
                                             CommandContext context) {
        return sender.ok(new CompleteTask(taskId, context.tenantId(), context.expectedVersion(),
                                          request == null ? null : request.notes(), context.actorId()),
                         context, task(taskId));
    }

    @PostMapping("/{taskId}/actions")
    ResponseEntity<CommandResponse> addAction(@PathVariable UUID taskId, @Valid @RequestBody AddActionRequest request,
                                              CommandContext context) {
        return sender.created(new AddAction(
                taskId, context.tenantId(), context.expectedVersion(), idOrNew(request.id()),
                wire(ActionType.class, "type", request.type()), request.label(), request.description(),
                request.config(), request.displayOrder() == null ? 0 : request.displayOrder()), context, task(taskId));
    }

    /** 201 for the first submission under a key, 200 with the same id (marked replayed) for a retry of it. */
    @PostMapping("/{taskId}/actions/{actionId}/submissions")
    ResponseEntity<CommandResponse> submit(@PathVariable UUID taskId, @PathVariable UUID actionId,
                                           @Valid @RequestBody SubmissionRequest request,
                                           @RequestHeader(name = IdempotencyHeaders.KEY, required = false) String idempotencyKey,
                                           CommandContext context) {
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 255) {
            throw new RequestValidationException(IdempotencyHeaders.KEY, "header is required (1 to 255 characters)");
        }
        return sender.createdOrReplayed(new SubmitAction(
                taskId, context.tenantId(), context.expectedVersion(), actionId, UuidV7.generate(), idempotencyKey,
                request.data(), context.actorId()), context, locations.of("tasks", taskId, "submissions"));
    }

    @PostMapping("/{taskId}/targets")
    ResponseEntity<CommandResponse> addTarget(@PathVariable UUID taskId, @Valid @RequestBody AddTargetRequest request,
                                              CommandContext context) {
        return sender.created(new AddTarget(
                taskId, context.tenantId(), context.expectedVersion(), idOrNew(request.id()),
                wire(TargetType.class, "targetType", request.targetType()), request.targetId(), request.metadata()),
                context, task(taskId));
    }

    @PostMapping("/{taskId}/steps")
    ResponseEntity<CommandResponse> addStep(@PathVariable UUID taskId, @Valid @RequestBody AddStepRequest request,
                                            CommandContext context) {
        return sender.created(new AddStep(taskId, context.tenantId(), context.expectedVersion(), idOrNew(request.id()),
                                          request.action()), context, task(taskId));
    }

    @PostMapping("/{taskId}/steps/{stepId}/start")
    ResponseEntity<CommandResponse> startStep(@PathVariable UUID taskId, @PathVariable UUID stepId,
                                              @RequestBody(required = false) NoFieldsRequest request,
                                              CommandContext context) {
        return sender.ok(new StartStep(taskId, context.tenantId(), context.expectedVersion(), stepId),
                         context, task(taskId));
    }

    @PostMapping("/{taskId}/steps/{stepId}/complete")
    ResponseEntity<CommandResponse> completeStep(@PathVariable UUID taskId, @PathVariable UUID stepId,
                                                 @Valid @RequestBody(required = false) CompleteStepRequest request,
                                                 CommandContext context) {
        return sender.ok(new CompleteStep(taskId, context.tenantId(), context.expectedVersion(), stepId,
                                          request == null ? null : request.result()), context, task(taskId));
    }

    @PostMapping("/{taskId}/steps/{stepId}/fail")
    ResponseEntity<CommandResponse> failStep(@PathVariable UUID taskId, @PathVariable UUID stepId,
                                             @Valid @RequestBody FailStepRequest request, CommandContext context) {
        return sender.ok(new FailStep(taskId, context.tenantId(), context.expectedVersion(), stepId, request.error()),
                         context, task(taskId));
    }

    private URI task(UUID taskId) {
        return locations.of("tasks", taskId);
    }
}
