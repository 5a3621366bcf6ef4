package dev.verity.command.platform.web;

import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.idempotency.IdempotencyHeaders;
import dev.verity.events.common.MetadataKeys;
import dev.verity.events.common.UuidV7;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Sends a command on behalf of the calling token, stamping tenant, actor and correlation id as
 * metadata so that every event the command produces carries them, and answers it the way every
 * command endpoint does: the id and the aggregate's version after it, as body and {@code ETag},
 * with {@code Location} naming where the query API serves the result.
 */
@Component
public class CommandSender {

    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The body of every command answer. */
    public record CommandResponse(UUID id, long version) {
    }

    private final CommandGateway commandGateway;

    CommandSender(CommandGateway commandGateway) {
        this.commandGateway = commandGateway;
    }

    public <R> R send(Object command, CommandContext context) {
        String header = context.correlationId();
        String correlationId = header != null && CORRELATION_ID.matcher(header).matches()
                ? header
                : UuidV7.generate().toString();
        MetaData metaData = MetaData.from(Map.of(
                MetadataKeys.TENANT_ID, context.tenantId().toString(),
                MetadataKeys.ACTOR_TYPE, context.caller().actorType().wire(),
                MetadataKeys.ACTOR_ID, context.actorId(),
                MetadataKeys.CORRELATION_ID, correlationId));
        return commandGateway.sendAndWait(GenericCommandMessage.asCommandMessage(command).andMetaData(metaData));
    }

    /** 200: the command changed what {@code location} serves. */
    public ResponseEntity<CommandResponse> ok(Object command, CommandContext context, URI location) {
        return respond(HttpStatus.OK, location, send(command, context));
    }

    /** 201: the command created something, readable under {@code location}. */
    public ResponseEntity<CommandResponse> created(Object command, CommandContext context, URI location) {
        return respond(HttpStatus.CREATED, location, send(command, context));
    }

    /**
     * 201 for the first command under an idempotency key, 200 with the same id, marked
     * {@code Idempotent-Replayed}, when the aggregate recognised a retry of it (created=false).
     */
    public ResponseEntity<CommandResponse> createdOrReplayed(Object command, CommandContext context, URI location) {
        CommandResult result = send(command, context);
        if (result.created()) {
            return respond(HttpStatus.CREATED, location, result);
        }
        return headers(HttpStatus.OK, location, result).header(IdempotencyHeaders.REPLAYED, "true")
                                                        .body(new CommandResponse(result.id(), result.version()));
    }

    private static ResponseEntity<CommandResponse> respond(HttpStatus status, URI location, CommandResult result) {
        return headers(status, location, result).body(new CommandResponse(result.id(), result.version()));
    }

    private static ResponseEntity.BodyBuilder headers(HttpStatus status, URI location, CommandResult result) {
        return ResponseEntity.status(status).location(location).eTag("\"" + result.version() + "\"");
    }
}
