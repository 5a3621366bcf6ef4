package dev.verity.command.platform.guard;

import org.axonframework.commandhandling.CommandBus;
import org.springframework.stereotype.Component;

/**
 * Puts the guard on the command bus itself rather than on the gateway, so that a command sent
 * either way passes it. The guard is deliberately no bean: Axon's auto-configuration would also
 * register a dispatch interceptor bean on the gateway, and every command would be walked twice.
 */
@Component
class CommandGuardRegistration {

    CommandGuardRegistration(CommandBus commandBus, JsonLimits limits) {
        commandBus.registerDispatchInterceptor(new CommandGuard(limits));
    }
}
