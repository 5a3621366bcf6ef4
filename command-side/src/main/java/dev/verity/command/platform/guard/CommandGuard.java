package dev.verity.command.platform.guard;

import dev.verity.command.platform.DomainException;
import dev.verity.events.common.MetadataKeys;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.MessageDispatchInterceptor;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The one check every command passes on the command bus, whoever sends it (a controller, a
 * process manager, a future slice), before any handler runs and so before any event exists. It
 * walks every value of the payload and every metadata entry, and refuses with 400 naming the path:
 * {@code validation_failed} for what the read model cannot store ({@link StorableValues}),
 * {@code secret_rejected} for what looks like a credential ({@link SecretDetector}), never quoting
 * the value. Handlers need no checks of their own for either.
 * <p>
 * Key names are judged only in maps (client-chosen keys); record component and metadata names are
 * ours, and {@code idempotencyKey} names a field, not a credential.
 */
public final class CommandGuard implements MessageDispatchInterceptor<CommandMessage<?>> {

    private static final String SECRET_REJECTED = "secret_rejected";
    /** Metadata is named by where the client gave it: a header or a claim of its token. */
    private static final Map<String, String> METADATA_SOURCES = Map.of(MetadataKeys.CORRELATION_ID, "X-Correlation-Id",
                                                                       MetadataKeys.ACTOR_ID, "token.sub",
                                                                       MetadataKeys.TENANT_ID, "token.tenant_id");
    private static final String WHY = "; secrets must not be sent to Verity, whose history is permanent";

    private final StorableValues storable;
    private final SecretDetector secrets = new SecretDetector();
    private final PayloadWalker.Visitor visitor = new PayloadWalker.Visitor() {
        @Override
        public void freeForm(String path, Map<?, ?> map) {
            storable.requireWithinLimits(path, map);
        }

        @Override
        public void key(String mapPath, String key, Object value) {
            storable.requireStorableKey(mapPath, key);
            if (secrets.credentialIn(key).isPresent()) {
                throw DomainException.badField(SECRET_REJECTED, mapPath, "has a key that looks like a credential" + WHY);
            }
            if (secrets.isCredentialEntry(key, value)) {
                throw DomainException.badField(SECRET_REJECTED, PayloadWalker.child(mapPath, key),
                                               "is named like a credential" + WHY);
            }
        }

        @Override
        public void leaf(String path, Object value) {
            storable.requireStorable(path, value);
            if (value instanceof CharSequence text) {
                secrets.credentialIn(text.toString()).ifPresent(kind -> {
                    throw DomainException.badField(SECRET_REJECTED, path, "looks like " + kind + WHY);
                });
            }
        }
    };

    public CommandGuard(JsonLimits limits) {
        this.storable = new StorableValues(limits);
    }

    /** Refuses the command with a 400 {@link DomainException}, or returns normally. */
    public void check(CommandMessage<?> command) {
        PayloadWalker.walk("", command.getPayload(), visitor);
        command.getMetaData().forEach((key, value) -> {
            storable.requireStorableKey("commandMetadata", key);
            PayloadWalker.walk(METADATA_SOURCES.getOrDefault(key, "commandMetadata." + key), value, visitor);
        });
    }

    @Override
    public BiFunction<Integer, CommandMessage<?>, CommandMessage<?>> handle(List<? extends CommandMessage<?>> messages) {
        return (index, command) -> {
            check(command);
            return command;
        };
    }
}
