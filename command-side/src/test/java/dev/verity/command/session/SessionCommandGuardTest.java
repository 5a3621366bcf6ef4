package dev.verity.command.session;

import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.guard.CommandGuard;
import dev.verity.command.platform.guard.JsonLimits;
import dev.verity.command.session.SessionCommand.ExtractValue;
import dev.verity.command.session.SessionCommand.SetEmbedding;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The session commands under the platform's command guard with its default limits (64 KiB and
 * 1,000 keys per free-form JSON field): an embedding of 1536 numbers is no free-form field and
 * passes whole, as a primitive array or as a list of numbers; secrets and NUL are still found.
 */
class SessionCommandGuardTest {

    private final CommandGuard guard = new CommandGuard(JsonLimits.defaults());
    private final UUID session = UUID.randomUUID();
    private final UUID tenant = UUID.randomUUID();

    private void check(Object command) {
        guard.check(GenericCommandMessage.asCommandMessage(command));
    }

    @Test
    void anEmbeddingOf1536Floats_passesTheGuard() {
        float[] vector = new float[Session.EMBEDDING_DIMENSIONS];
        java.util.Arrays.fill(vector, -0.123456789f);
        assertThatCode(() -> check(new SetEmbedding(session, tenant, null, "a", vector))).doesNotThrowAnyException();
    }

    @Test
    void a1536NumberListAsAnExtractedValue_passesTheGuard_itemByItem() {
        List<Double> numbers = Collections.nCopies(Session.EMBEDDING_DIMENSIONS, 0.123456789012345);
        assertThatCode(() -> check(new ExtractValue(session, tenant, null, "a", numbers, null, null)))
                .doesNotThrowAnyException();
        assertThatCode(() -> check(new ExtractValue(session, tenant, null, "a", Map.of("vector", numbers), null, null)))
                .doesNotThrowAnyException();
    }

    @Test
    void anExtractedValue_isStillWalked_forSecretsAndNul() {
        DomainException secret = catchThrowableOfType(DomainException.class, () -> check(new ExtractValue(
                session, tenant, null, "a", List.of("ok", Map.of("password", "hunter2hunter2")), null, null)));
        assertThat(secret.code()).isEqualTo("secret_rejected");
        DomainException nul = catchThrowableOfType(DomainException.class, () -> check(new ExtractValue(
                session, tenant, null, "a", List.of("a\u0000b"), null, null)));
        assertThat(nul.code()).isEqualTo("validation_failed");
        assertThat(nul.errors().get(0)).containsEntry("field", "extractedValue[0]");
    }
}
