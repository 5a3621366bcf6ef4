package dev.verity.command.platform.web;

import dev.verity.command.platform.security.Caller;
import dev.verity.events.common.MetadataKeys;
import dev.verity.events.common.UuidV7;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sends a command on behalf of the calling token, stamping tenant, actor and correlation id as
 * metadata so that every event the command produces carries them.
 */
@Component
public class CommandSender {

    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final CommandGateway commandGateway;

    CommandSender(CommandGateway commandGateway) {
        this.commandGateway = commandGateway;
    }

    public <R> R send(Object command, Caller caller, String correlationHeader) {
        String correlationId = correlationHeader != null && CORRELATION_ID.matcher(correlationHeader).matches()
                ? correlationHeader
                : UuidV7.generate().toString();
        MetaData metaData = MetaData.from(Map.of(
                MetadataKeys.TENANT_ID, caller.tenantId().toString(),
                MetadataKeys.ACTOR_TYPE, caller.actorType().wire(),
                MetadataKeys.ACTOR_ID, caller.actorId(),
                MetadataKeys.CORRELATION_ID, correlationId));
        return commandGateway.sendAndWait(GenericCommandMessage.asCommandMessage(command).andMetaData(metaData));
    }
}
