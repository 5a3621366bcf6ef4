package dev.verity.command.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.guard.JsonLimits;
import dev.verity.command.platform.web.CommandContext;
import dev.verity.command.platform.web.CommandSender;
import dev.verity.command.platform.web.CommandSender.CommandResponse;
import dev.verity.command.platform.web.QueryLocations;
import dev.verity.command.platform.web.RequestValidationException;
import dev.verity.command.session.SessionCommand.AbandonSession;
import dev.verity.command.session.SessionCommand.AddObligation;
import dev.verity.command.session.SessionCommand.ChangeObligationStatus;
import dev.verity.command.session.SessionCommand.ChangePhase;
import dev.verity.command.session.SessionCommand.CompleteSession;
import dev.verity.command.session.SessionCommand.ExtractValue;
import dev.verity.command.session.SessionCommand.MergeObligations;
import dev.verity.command.session.SessionCommand.Negotiate;
import dev.verity.command.session.SessionCommand.ObligationSpec;
import dev.verity.command.session.SessionCommand.RecordAttempt;
import dev.verity.command.session.SessionCommand.RecordTurn;
import dev.verity.command.session.SessionCommand.SetEmbedding;
import dev.verity.command.session.SessionCommand.SplitObligation;
import dev.verity.command.session.SessionCommand.StartSession;
import dev.verity.events.common.UuidV7;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionPhase;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.verity.command.platform.web.RequestValues.idOrNew;
import static dev.verity.command.platform.web.RequestValues.wire;

/**
 * The elicitation session command API: sessions, their turns and phases, and the obligations
 * they collect, addressed by key. Each endpoint maps its request to one command and answers the
 * id and the session's version after it; {@code Location} names where the query API serves it.
 */
@RestController
@RequestMapping("/api/v1/sessions")
class SessionController {

    /** Keys appear in paths, so they keep to characters that need no escaping there. */
    static final String KEY = "[A-Za-z0-9][A-Za-z0-9._:-]{0,99}";
    private static final java.util.regex.Pattern KEY_PATTERN = java.util.regex.Pattern.compile(KEY);
    private static final String KEY_MESSAGE = "must be 1 to 100 letters, digits, '.', '_', ':' or '-', "
                                              + "starting with a letter or digit";

    record StartRequest(UUID id, @NotNull UUID projectId, UUID objectiveId) {
    }

    record TurnRequest(Map<String, Object> workingMemorySnapshot) {
    }

    record PhaseRequest(@NotNull @Pattern(regexp = "opening|exploration|validation|closing") String phase) {
    }

    record ObligationRequest(@NotNull @Pattern(regexp = KEY, message = KEY_MESSAGE) String key,
                             @Size(max = 10_000) String description,
                             @Size(max = 255) String collectionType,
                             @Size(max = 255) String widgetType,
                             @Size(max = 100) List<@NotNull @Pattern(regexp = KEY, message = KEY_MESSAGE) String> dependencies,
                             @Size(max = 255) String source,
                             @Size(max = 255) String originLayer,
                             UUID originSourceId,
                             @Size(max = 255) String poolId,
                             Integer taskPriority,
                             @Size(max = 255) String category,
                             @Size(max = 500) String fieldPath,
                             @Size(max = 10_000) String satisfiedWhen,
                             @Size(max = 255) String expertiseRequired,
                             @Size(max = 255) String followUpStrategy,
                             @Min(1) @Max(1000) Integer maxAttempts) {

        ObligationSpec spec() {
            return new ObligationSpec(key, description, collectionType, widgetType, dependencies, source, originLayer,
                                      originSourceId, poolId, taskPriority, category, fieldPath, satisfiedWhen,
                                      expertiseRequired, followUpStrategy, maxAttempts);
        }
    }

    record ValueRequest(@NotNull Object extractedValue, BigDecimal confidence, @Size(max = 255) String source) {
    }

    record NegotiationRequest(@NotNull Map<String, Object> negotiationState) {
    }

    record StatusRequest(@NotNull @Pattern(regexp = "pending|partial|satisfied|deferred|skipped") String status,
                         @Size(max = 10_000) String agentNotes) {
    }

    record MergeRequest(@NotEmpty @Size(max = 100) List<@NotNull @Pattern(regexp = KEY, message = KEY_MESSAGE) String> sourceKeys,
                        @NotNull @Pattern(regexp = KEY, message = KEY_MESSAGE) String intoKey) {
    }

    record SplitRequest(@NotNull @Size(min = 2, max = 50) List<@NotNull @Valid ObligationRequest> into) {
    }

    record EmbeddingRequest(@NotNull List<@NotNull Double> vector) {
    }

    /** The body of a command that takes none: absent or {@code {}}, so a stray field is a 400 naming it. */
    record NoFieldsRequest() {
    }

    private final CommandSender sender;
    private final QueryLocations locations;
    private final JsonLimits limits;
    /** Configured like the event serializer, so the size measured is the size stored. */
    private final ObjectMapper eventJson = new ObjectMapper();

    SessionController(CommandSender sender, QueryLocations locations, JsonLimits limits) {
        this.sender = sender;
        this.locations = locations;
        this.limits = limits;
    }

    @PostMapping
    ResponseEntity<CommandResponse> start(@Valid @RequestBody StartRequest request, CommandContext context) {
        UUID sessionId = idOrNew(request.id());
        return sender.created(new StartSession(sessionId, context.tenantId(), request.projectId(),
                                               request.objectiveId(), context.actorId()), context, session(sessionId));
    }

    @PostMapping("/{sessionId}/turns")
    ResponseEntity<CommandResponse> turn(@PathVariable UUID sessionId,
                                         @Valid @RequestBody(required = false) TurnRequest request,
                                         CommandContext context) {
        return sender.ok(new RecordTurn(sessionId, context.tenantId(), context.expectedVersion(),
                                        request == null ? null : request.workingMemorySnapshot()),
                         context, session(sessionId));
    }

    @PostMapping("/{sessionId}/phase")
    ResponseEntity<CommandResponse> phase(@PathVariable UUID sessionId, @Valid @RequestBody PhaseRequest request,
                                          CommandContext context) {
        return sender.ok(new ChangePhase(sessionId, context.tenantId(), context.expectedVersion(),
                                         wire(SessionPhase.class, "phase", request.phase())), context, session(sessionId));
    }

    @PostMapping("/{sessionId}/complete")
    ResponseEntity<CommandResponse> complete(@PathVariable UUID sessionId,
                                             @RequestBody(required = false) NoFieldsRequest request,
                                             CommandContext context) {
        return sender.ok(new CompleteSession(sessionId, context.tenantId(), context.expectedVersion(),
                                             context.actorId()), context, session(sessionId));
    }

    @PostMapping("/{sessionId}/abandon")
    ResponseEntity<CommandResponse> abandon(@PathVariable UUID sessionId,
                                            @RequestBody(required = false) NoFieldsRequest request,
                                            CommandContext context) {
        return sender.ok(new AbandonSession(sessionId, context.tenantId(), context.expectedVersion(),
                                            context.actorId()), context, session(sessionId));
    }

    /** 201 with the new obligation's id; the session's version is the {@code ETag}. */
    @PostMapping("/{sessionId}/obligations")
    ResponseEntity<CommandResponse> addObligation(@PathVariable UUID sessionId,
                                                  @Valid @RequestBody ObligationRequest request,
                                                  CommandContext context) {
        return sender.created(new AddObligation(sessionId, context.tenantId(), context.expectedVersion(),
                                                UuidV7.generate(), request.spec()),
                              context, obligation(sessionId, request.key()));
    }

    @PostMapping("/{sessionId}/obligations/{key}/attempts")
    ResponseEntity<CommandResponse> attempt(@PathVariable UUID sessionId, @PathVariable("key") String rawKey,
                                            @RequestBody(required = false) NoFieldsRequest request,
                                            CommandContext context) {
        String key = pathKey(rawKey);
        return sender.ok(new RecordAttempt(sessionId, context.tenantId(), context.expectedVersion(), key),
                         context, obligation(sessionId, key));
    }

    @PostMapping("/{sessionId}/obligations/{key}/value")
    ResponseEntity<CommandResponse> value(@PathVariable UUID sessionId, @PathVariable("key") String rawKey,
                                          @Valid @RequestBody ValueRequest request, CommandContext context) {
        String key = pathKey(rawKey);
        requireWithinSize("extractedValue", request.extractedValue());
        return sender.ok(new ExtractValue(sessionId, context.tenantId(), context.expectedVersion(), key,
                                          request.extractedValue(), request.confidence(), request.source()),
                         context, obligation(sessionId, key));
    }

    @PostMapping("/{sessionId}/obligations/{key}/negotiation")
    ResponseEntity<CommandResponse> negotiation(@PathVariable UUID sessionId, @PathVariable("key") String rawKey,
                                                @Valid @RequestBody NegotiationRequest request,
                                                CommandContext context) {
        String key = pathKey(rawKey);
        return sender.ok(new Negotiate(sessionId, context.tenantId(), context.expectedVersion(), key,
                                       request.negotiationState()), context, obligation(sessionId, key));
    }

    @PostMapping("/{sessionId}/obligations/{key}/status")
    ResponseEntity<CommandResponse> status(@PathVariable UUID sessionId, @PathVariable("key") String rawKey,
                                           @Valid @RequestBody StatusRequest request, CommandContext context) {
        String key = pathKey(rawKey);
        return sender.ok(new ChangeObligationStatus(sessionId, context.tenantId(), context.expectedVersion(), key,
                                                    wire(ObligationStatus.class, "status", request.status()),
                                                    request.agentNotes()), context, obligation(sessionId, key));
    }

    @PostMapping("/{sessionId}/obligations/merge")
    ResponseEntity<CommandResponse> merge(@PathVariable UUID sessionId, @Valid @RequestBody MergeRequest request,
                                          CommandContext context) {
        return sender.ok(new MergeObligations(sessionId, context.tenantId(), context.expectedVersion(),
                                              request.sourceKeys(), request.intoKey()),
                         context, obligation(sessionId, request.intoKey()));
    }

    @PostMapping("/{sessionId}/obligations/{key}/split")
    ResponseEntity<CommandResponse> split(@PathVariable UUID sessionId, @PathVariable("key") String rawKey,
                                          @Valid @RequestBody SplitRequest request, CommandContext context) {
        String key = pathKey(rawKey);
        List<ObligationSpec> parts = request.into().stream().map(ObligationRequest::spec).toList();
        List<UUID> ids = parts.stream().map(part -> UuidV7.generate()).toList();
        return sender.ok(new SplitObligation(sessionId, context.tenantId(), context.expectedVersion(), key, parts, ids),
                         context, locations.of("sessions", sessionId, "obligations"));
    }

    /**
     * Replaces the obligation's embedding. The vector travels in the event (it is not secret and is
     * the only source a rebuilt read model has), as 32-bit floats, which is what pgvector stores:
     * a number that is finite as a double but not as a float (1e39) is refused here, naming it.
     */
    @PutMapping("/{sessionId}/obligations/{key}/embedding")
    ResponseEntity<CommandResponse> embedding(@PathVariable UUID sessionId, @PathVariable("key") String rawKey,
                                              @Valid @RequestBody EmbeddingRequest request, CommandContext context) {
        String key = pathKey(rawKey);
        List<Double> vector = request.vector();
        if (vector.size() != Session.EMBEDDING_DIMENSIONS) {
            throw new RequestValidationException("vector", "must hold exactly " + Session.EMBEDDING_DIMENSIONS
                                                           + " numbers, not " + vector.size());
        }
        float[] embedding = new float[vector.size()];
        boolean nonZero = false;
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = vector.get(i).floatValue();
            if (!Float.isFinite(embedding[i])) {
                throw new RequestValidationException("vector[" + i + "]", "must be a finite 32-bit number");
            }
            nonZero |= embedding[i] != 0;
        }
        if (!nonZero) {
            throw new RequestValidationException("vector", "must not be all zeros: it has no cosine distance");
        }
        return sender.ok(new SetEmbedding(sessionId, context.tenantId(), context.expectedVersion(), key, embedding),
                         context, obligation(sessionId, key));
    }

    /**
     * Free-form JSON maps get the guard's size limit wherever they are; an extracted value may be a
     * list or a long text as well, so it gets the same limit whole.
     */
    private void requireWithinSize(String field, Object value) {
        long maxBytes = limits.maxSize().toBytes();
        try {
            if (eventJson.writeValueAsBytes(value).length > maxBytes) {
                throw new RequestValidationException(field, "must be at most " + maxBytes + " bytes as JSON");
            }
        } catch (JsonProcessingException e) {
            throw new RequestValidationException(field, "cannot be written as JSON");
        }
    }

    /** A key from the path that no obligation could have is simply not found (and never spliced into a URI). */
    private static String pathKey(String key) {
        if (key == null || !KEY_PATTERN.matcher(key).matches()) {
            throw DomainException.notFound("obligation_not_found", "No obligation with that key");
        }
        return key;
    }

    private URI session(UUID sessionId) {
        return locations.of("sessions", sessionId);
    }

    private URI obligation(UUID sessionId, String key) {
        return locations.of("sessions", sessionId, "obligations", key);
    }
}
