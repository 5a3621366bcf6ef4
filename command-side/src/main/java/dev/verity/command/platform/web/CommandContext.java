package dev.verity.command.platform.web;

import dev.verity.command.platform.security.Caller;

import java.util.UUID;

/**
 * What every command endpoint needs besides its path and body: who calls, the version the client
 * expects ({@code If-Match}) and the correlation id it sent, resolved by {@link CommandContextResolver}.
 * <p>
 * {@code If-Match} is read when a command asks for it, not when the request arrives, so that an
 * endpoint that takes no expected version (a create) ignores the header as it always has, and a
 * malformed one is reported after the body's own errors.
 */
public final class CommandContext {

    private final Caller caller;
    private final String ifMatch;
    private final String correlationId;

    public CommandContext(Caller caller, String ifMatch, String correlationId) {
        this.caller = caller;
        this.ifMatch = ifMatch;
        this.correlationId = correlationId;
    }

    public Caller caller() {
        return caller;
    }

    public UUID tenantId() {
        return caller.tenantId();
    }

    public String actorId() {
        return caller.actorId();
    }

    /**
     * @return the expected version, or null when {@code If-Match} is absent or {@code *}
     * @throws RequestValidationException naming {@code If-Match} when it is not a version tag
     */
    public Long expectedVersion() {
        return IfMatch.expectedVersion(ifMatch);
    }

    /** @return the {@code X-Correlation-Id} header as sent, or null; {@link CommandSender} vets it */
    public String correlationId() {
        return correlationId;
    }
}
