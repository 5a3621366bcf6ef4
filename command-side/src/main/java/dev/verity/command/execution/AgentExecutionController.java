package dev.verity.command.execution;

import dev.verity.command.execution.AgentExecutionCommand.AdvanceStep;
import dev.verity.command.execution.AgentExecutionCommand.CheckpointContent;
import dev.verity.command.execution.AgentExecutionCommand.CompleteExecution;
import dev.verity.command.execution.AgentExecutionCommand.CreateCheckpoint;
import dev.verity.command.execution.AgentExecutionCommand.CreateExecution;
import dev.verity.command.execution.AgentExecutionCommand.FailExecution;
import dev.verity.command.execution.AgentExecutionCommand.PauseExecution;
import dev.verity.command.execution.AgentExecutionCommand.RaiseLimits;
import dev.verity.command.execution.AgentExecutionCommand.ReportUsage;
import dev.verity.command.execution.AgentExecutionCommand.ResumeExecution;
import dev.verity.command.execution.AgentExecutionCommand.StartExecution;
import dev.verity.command.execution.ExecutionResults.CheckpointResult;
import dev.verity.command.execution.ExecutionResults.UsageResult;
import dev.verity.command.platform.web.CommandContext;
import dev.verity.command.platform.web.CommandSender;
import dev.verity.command.platform.web.CommandSender.CommandResponse;
import dev.verity.command.platform.web.QueryLocations;
import dev.verity.command.platform.web.RequestValidationException;
import dev.verity.events.execution.AgentDescriptor;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.verity.command.platform.web.RequestValues.idOrNew;

/**
 * The agent execution command API. Each endpoint maps its request to one command; most answer
 * the id and the execution's version after it, {@code /usage} also the new totals and
 * {@code budgetState}, {@code /checkpoints} the checkpoint's id and {@code expiresAt}.
 * Amounts stay {@link BigDecimal} from the JSON number to the column.
 */
@RestController
@RequestMapping("/api/v1/executions")
class AgentExecutionController {

    record AgentRequest(@NotBlank @Size(max = 100) String name,
                        @NotBlank @Size(max = 100) String role,
                        @NotBlank @Size(max = 50) String status) {
    }

    record CreateExecutionRequest(UUID id,
                                  @NotNull UUID projectId,
                                  @NotBlank @Size(max = 50) String strategy,
                                  @NotNull @Size(max = 100) List<@NotNull @Valid AgentRequest> agents,
                                  Long totalSteps,
                                  Long tokensLimit,
                                  BigDecimal costLimit) {
    }

    record StepRequest(@NotBlank @Size(max = 100) String stepName,
                       @Size(max = 100) List<@NotNull @Valid AgentRequest> agents,
                       Map<String, Object> intermediateResults) {
    }

    record ResumeRequest(UUID checkpointId) {
    }

    record CompleteRequest(Map<String, Object> finalResult) {
    }

    record FailRequest(@NotNull Map<String, Object> error) {
    }

    record UsageRequest(@NotNull Long tokens, @NotNull BigDecimal costUsd, @Size(min = 1, max = 100) String agent) {
    }

    record LimitsRequest(Long tokensLimit, BigDecimal costLimit) {
    }

    /** The seed's checkpoint state without the usage totals, which the execution itself fills in. */
    record CheckpointStateRequest(List<@NotNull String> completedSteps,
                                  List<@NotNull String> pendingSteps,
                                  Map<String, Object> intermediateResults,
                                  Map<String, Object> agentStates) {
    }

    record CheckpointRequest(UUID id,
                             @NotNull Long stepIndex,
                             @NotBlank @Size(max = 100) String stepName,
                             @NotNull @Valid CheckpointStateRequest state,
                             Duration ttl) {
    }

    /** A usage report's answer, in the API's spelling. */
    record UsageResponse(UUID id, long version, long tokensUsed, BigDecimal costIncurred, String budgetState,
                         String status) {
    }

    /** The body of a command that takes none: absent or {@code {}}, so a stray field is a 400 naming it. */
    record NoFieldsRequest() {
    }

    private final CommandSender sender;
    private final QueryLocations locations;
    private final ExecutionProperties properties;

    AgentExecutionController(CommandSender sender, QueryLocations locations, ExecutionProperties properties) {
        this.sender = sender;
        this.locations = locations;
        this.properties = properties;
    }

    @PostMapping
    ResponseEntity<CommandResponse> create(@Valid @RequestBody CreateExecutionRequest request, CommandContext context) {
        UUID executionId = idOrNew(request.id());
        return sender.created(new CreateExecution(
                executionId, context.tenantId(), request.projectId(), request.strategy(), agents(request.agents()),
                request.totalSteps(), request.tokensLimit(), request.costLimit(), context.actorId()),
                context, execution(executionId));
    }

    @PostMapping("/{executionId}/start")
    ResponseEntity<CommandResponse> start(@PathVariable UUID executionId,
                                          @RequestBody(required = false) NoFieldsRequest request, CommandContext context) {
        return sender.ok(new StartExecution(executionId, context.tenantId(), context.expectedVersion()), context,
                         execution(executionId));
    }

    @PostMapping("/{executionId}/steps")
    ResponseEntity<CommandResponse> step(@PathVariable UUID executionId, @Valid @RequestBody StepRequest request,
                                         CommandContext context) {
        return sender.ok(new AdvanceStep(executionId, context.tenantId(), context.expectedVersion(), request.stepName(),
                                         request.agents() == null ? null : agents(request.agents()),
                                         request.intermediateResults()), context, execution(executionId));
    }

    @PostMapping("/{executionId}/pause")
    ResponseEntity<CommandResponse> pause(@PathVariable UUID executionId,
                                          @RequestBody(required = false) NoFieldsRequest request, CommandContext context) {
        return sender.ok(new PauseExecution(executionId, context.tenantId(), context.expectedVersion()), context,
                         execution(executionId));
    }

    @PostMapping("/{executionId}/resume")
    ResponseEntity<CommandResponse> resume(@PathVariable UUID executionId,
                                           @RequestBody(required = false) ResumeRequest request, CommandContext context) {
        return sender.ok(new ResumeExecution(executionId, context.tenantId(), context.expectedVersion(),
                                             request == null ? null : request.checkpointId()),
                         context, execution(executionId));
    }

    @PostMapping("/{executionId}/complete")
    ResponseEntity<CommandResponse> complete(@PathVariable UUID executionId,
                                             @RequestBody(required = false) CompleteRequest request,
                                             CommandContext context) {
        return sender.ok(new CompleteExecution(executionId, context.tenantId(), context.expectedVersion(),
                                               request == null ? null : request.finalResult()),
                         context, execution(executionId));
    }

    @PostMapping("/{executionId}/fail")
    ResponseEntity<CommandResponse> fail(@PathVariable UUID executionId, @Valid @RequestBody FailRequest request,
                                         CommandContext context) {
        return sender.ok(new FailExecution(executionId, context.tenantId(), context.expectedVersion(), request.error()),
                         context, execution(executionId));
    }

    @PostMapping("/{executionId}/usage")
    ResponseEntity<UsageResponse> usage(@PathVariable UUID executionId, @Valid @RequestBody UsageRequest request,
                                      CommandContext context) {
        UsageResult result = sender.send(new ReportUsage(executionId, context.tenantId(), context.expectedVersion(),
                                                         request.tokens(), request.costUsd(), request.agent()), context);
        return ResponseEntity.ok().location(execution(executionId)).eTag("\"" + result.version() + "\"")
                             .body(new UsageResponse(result.id(), result.version(), result.tokensUsed(),
                                                     result.costIncurred(), result.budgetState().wire(),
                                                     result.status().wire()));
    }

    @PostMapping("/{executionId}/limits")
    ResponseEntity<CommandResponse> limits(@PathVariable UUID executionId, @Valid @RequestBody LimitsRequest request,
                                           CommandContext context) {
        return sender.ok(new RaiseLimits(executionId, context.tenantId(), context.expectedVersion(),
                                         request.tokensLimit(), request.costLimit()), context, execution(executionId));
    }

    @PostMapping("/{executionId}/checkpoints")
    ResponseEntity<CheckpointResult> checkpoint(@PathVariable UUID executionId,
                                                @Valid @RequestBody CheckpointRequest request, CommandContext context) {
        Duration ttl = request.ttl() == null ? properties.checkpointTtl() : request.ttl();
        if (ttl.compareTo(properties.checkpointMaxTtl()) > 0) {
            throw new RequestValidationException("ttl", "must be at most " + properties.checkpointMaxTtl());
        }
        CheckpointStateRequest state = request.state();
        CheckpointResult result = sender.send(new CreateCheckpoint(
                executionId, context.tenantId(), context.expectedVersion(), idOrNew(request.id()), request.stepIndex(),
                request.stepName(), new CheckpointContent(state.completedSteps(), state.pendingSteps(),
                                                          state.intermediateResults(), state.agentStates()), ttl),
                context);
        return ResponseEntity.status(HttpStatus.CREATED).location(execution(executionId))
                             .eTag("\"" + result.version() + "\"").body(result);
    }

    private static List<AgentDescriptor> agents(List<AgentRequest> agents) {
        return agents.stream().map(agent -> new AgentDescriptor(agent.name(), agent.role(), agent.status())).toList();
    }

    private URI execution(UUID executionId) {
        return locations.of("executions", executionId);
    }
}
