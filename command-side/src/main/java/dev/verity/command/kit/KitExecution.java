package dev.verity.command.kit;

import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.ExistingRecord;
import dev.verity.command.kit.KitExecutionCommand.CompleteKitExecution;
import dev.verity.command.kit.KitExecutionCommand.CreateKitExecution;
import dev.verity.command.kit.KitExecutionCommand.FailKitExecution;
import dev.verity.command.kit.KitExecutionCommand.RecordKitOutput;
import dev.verity.command.kit.KitExecutionCommand.StartKitExecution;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCreated;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionFailed;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionEvent.KitOutputRecorded;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CommandHandlerInterceptor;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.verity.command.platform.ExistingRecord.currentVersion;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * One run of a kit (seed 001 {@code kit_executions}) with the output files it produced
 * ({@code kit_execution_outputs}) as members. A run goes pending, running, then completed (or
 * partial, when an output failed validation) or failed; a pending run may fail before it starts.
 * Outputs are recorded while it runs, each under a kit-chosen {@code outputId} used once.
 * <p>
 * The projection sums the outputs' token usage into the run's {@code INTEGER} totals, so the
 * aggregate keeps those sums too and refuses an output that would take one past what the column
 * holds: whatever is accepted must project.
 */
@Aggregate
class KitExecution {

    private static final Pattern SHA_256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    @AggregateIdentifier
    private UUID kitExecutionId;
    private UUID tenantId;
    private KitExecutionStatus status;
    private Set<String> outputIds;
    private boolean anOutputFailed;
    private long promptTokens;
    private long completionTokens;

    KitExecution() {
        // Axon rebuilds the aggregate from its events.
    }

    /** Tenant and If-Match checks for every command on an existing execution, in one place. */
    @CommandHandlerInterceptor
    Object guard(CommandMessage<?> message, InterceptorChain chain) throws Exception {
        if (kitExecutionId != null && message.getPayload() instanceof KitExecutionCommand command) {
            ExistingRecord.admit(tenantId, command.tenantId(), command.expectedVersion());
        }
        return chain.proceed();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    CommandResult handle(CreateKitExecution command) {
        requirePresent("projectId", command.projectId());
        requireText("kitId", command.kitId(), 100);
        requireText("kitVersion", command.kitVersion(), 50);
        requirePresent("inputSnapshot", command.inputSnapshot());
        optionalText("workflowRunId", command.workflowRunId(), 255);
        optionalText("inngestRunId", command.inngestRunId(), 255);
        apply(new KitExecutionCreated(command.kitExecutionId(), command.tenantId(), command.projectId(),
                                      command.userId(), command.kitDefinitionId(), command.kitId(),
                                      command.kitVersion(), command.inputSnapshot(), command.workflowRunId(),
                                      command.inngestRunId()));
        return result(command.kitExecutionId());
    }

    @CommandHandler
    CommandResult handle(StartKitExecution command) {
        requireStatus("start", KitExecutionStatus.PENDING);
        apply(new KitExecutionStarted(kitExecutionId));
        return result(kitExecutionId);
    }

    @CommandHandler
    CommandResult handle(RecordKitOutput command) {
        requireStatus("record an output of", KitExecutionStatus.RUNNING);
        requireText("outputId", command.outputId(), 100);
        requireText("filename", command.filename(), 255);
        requireText("outputType", command.outputType(), 20);
        requirePresent("status", command.status());
        requireCount("validationErrors", command.validationErrors());
        requireCount("validationWarnings", command.validationWarnings());
        requireCount("validationAutoFixed", command.validationAutoFixed());
        requireCount("repairAttempts", command.repairAttempts());
        requireCount("tokenUsagePrompt", command.tokenUsagePrompt());
        requireCount("tokenUsageCompletion", command.tokenUsageCompletion());
        optionalText("contentPath", command.contentPath(), 500);
        if (command.contentSizeBytes() != null) {
            requireCount("contentSizeBytes", command.contentSizeBytes());
        }
        if (command.contentHash() != null && !SHA_256_HEX.matcher(command.contentHash()).matches()) {
            throw DomainException.badField("validation_failed", "contentHash", "must be 64 hexadecimal digits (SHA-256)");
        }
        requireTokenTotalsFit(command.tokenUsagePrompt(), command.tokenUsageCompletion());
        if (outputIds.contains(command.outputId())) {
            throw DomainException.conflict("already_exists", "output " + command.outputId() + " already exists");
        }
        apply(new KitOutputRecorded(kitExecutionId, command.outputRowId(), command.outputId(), command.filename(),
                                    command.outputType(), command.status(), command.validationErrors(),
                                    command.validationWarnings(), command.validationAutoFixed(),
                                    command.repairAttempts(), command.validationDetails(), command.contentPath(),
                                    command.contentSizeBytes(), command.contentHash(), command.tokenUsagePrompt(),
                                    command.tokenUsageCompletion()));
        return result(command.outputRowId());
    }

    @CommandHandler
    CommandResult handle(CompleteKitExecution command) {
        requireStatus("complete", KitExecutionStatus.RUNNING);
        NumericColumn.COST_USD.requireFits("estimatedCostUsd", command.estimatedCostUsd());
        optionalText("bundlePath", command.bundlePath(), 500);
        if (command.bundleSizeBytes() != null) {
            requireCount("bundleSizeBytes", command.bundleSizeBytes());
        }
        apply(new KitExecutionCompleted(kitExecutionId,
                                        anOutputFailed ? KitExecutionStatus.PARTIAL : KitExecutionStatus.COMPLETED,
                                        command.estimatedCostUsd(), command.bundlePath(), command.bundleSizeBytes()));
        return result(kitExecutionId);
    }

    @CommandHandler
    CommandResult handle(FailKitExecution command) {
        if (status != KitExecutionStatus.PENDING && status != KitExecutionStatus.RUNNING) {
            throw invalidTransition("fail", "it is " + status.wire());
        }
        requireText("errorMessage", command.errorMessage(), 100_000);
        optionalText("errorStep", command.errorStep(), 100);
        apply(new KitExecutionFailed(kitExecutionId, command.errorMessage(), command.errorStep(),
                                     command.errorDetails()));
        return result(kitExecutionId);
    }

    @EventSourcingHandler
    void on(KitExecutionCreated event) {
        kitExecutionId = event.kitExecutionId();
        tenantId = event.tenantId();
        status = KitExecutionStatus.PENDING;
        outputIds = new HashSet<>();
    }

    @EventSourcingHandler
    void on(KitExecutionStarted event) {
        status = KitExecutionStatus.RUNNING;
    }

    @EventSourcingHandler
    void on(KitOutputRecorded event) {
        outputIds.add(event.outputId());
        anOutputFailed |= event.status() == KitOutputStatus.FAILED;
        promptTokens += event.tokenUsagePrompt();
        completionTokens += event.tokenUsageCompletion();
    }

    @EventSourcingHandler
    void on(KitExecutionCompleted event) {
        status = event.status();
    }

    @EventSourcingHandler
    void on(KitExecutionFailed event) {
        status = KitExecutionStatus.FAILED;
    }

    /**
     * {@code token_usage_prompt}, {@code token_usage_completion} and {@code token_usage_total} are
     * INTEGER sums over the outputs: an output that would overflow one of them could never project.
     */
    private void requireTokenTotalsFit(int prompt, int completion) {
        if (promptTokens + prompt > Integer.MAX_VALUE) {
            throw tokensOverflow("tokenUsagePrompt", "token_usage_prompt");
        }
        if (completionTokens + completion > Integer.MAX_VALUE) {
            throw tokensOverflow("tokenUsageCompletion", "token_usage_completion");
        }
        if (promptTokens + prompt + completionTokens + completion > Integer.MAX_VALUE) {
            throw tokensOverflow(prompt >= completion ? "tokenUsagePrompt" : "tokenUsageCompletion",
                                 "token_usage_total");
        }
    }

    private static DomainException tokensOverflow(String field, String column) {
        return DomainException.badField("validation_failed", field, "would take the execution's " + column
                + " past " + Integer.MAX_VALUE + ", the most it can hold");
    }

    private void requireStatus(String action, KitExecutionStatus required) {
        if (status != required) {
            throw invalidTransition(action, "it is " + status.wire());
        }
    }

    private DomainException invalidTransition(String action, String why) {
        return DomainException.conflict("invalid_transition",
                                        "Cannot " + action + " kit execution " + kitExecutionId + ": " + why);
    }

    private static void requireCount(String field, int value) {
        if (value < 0) {
            throw DomainException.badField("validation_failed", field, "must not be negative");
        }
    }

    private static void requirePresent(String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
    }

    private static void requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        optionalText(field, value, maxLength);
    }

    private static void optionalText(String field, String value, int maxLength) {
        if (value != null && (value.isBlank() || value.length() > maxLength)) {
            throw new IllegalArgumentException(field + " must be 1 to " + maxLength + " characters, not blank");
        }
    }

    private static CommandResult result(UUID id) {
        return new CommandResult(id, currentVersion(), true);
    }
}
