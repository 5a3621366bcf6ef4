package dev.verity.command.platform.web;

import dev.verity.command.platform.security.Caller;
import dev.verity.events.common.ActorType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.context.request.ServletWebRequest;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandContextResolverTest {

    private static final UUID TENANT = UUID.fromString("0190f5a0-0000-7000-8000-000000000001");

    private final CommandContextResolver resolver = new CommandContextResolver();

    @AfterEach
    void clearSecurityContext() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void resolve_readsCallerFromToken_whenAgentCalls() {
        authenticate("agent-7", "agent");

        CommandContext context = resolve(new MockHttpServletRequest());

        assertThat(context.caller()).isEqualTo(new Caller(TENANT, ActorType.AGENT, "agent-7"));
        assertThat(context.tenantId()).isEqualTo(TENANT);
        assertThat(context.actorId()).isEqualTo("agent-7");
    }

    @Test
    void resolve_readsUserCaller_whenTokenHasNoActorType() {
        authenticate("user-1", null);

        assertThat(resolve(new MockHttpServletRequest()).caller().actorType()).isEqualTo(ActorType.USER);
    }

    @Test
    void resolve_parsesIfMatchIntoExpectedVersion_whenHeaderIsAVersionTag() {
        authenticate("user-1", null);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("If-Match", "W/\"12\"");

        assertThat(resolve(request).expectedVersion()).isEqualTo(12L);
    }

    @Test
    void resolve_expectsNoVersion_whenIfMatchIsAbsentOrAny() {
        authenticate("user-1", null);
        MockHttpServletRequest any = new MockHttpServletRequest();
        any.addHeader("If-Match", "*");

        assertThat(resolve(new MockHttpServletRequest()).expectedVersion()).isNull();
        assertThat(resolve(any).expectedVersion()).isNull();
    }

    @Test
    void expectedVersion_failsNamingIfMatch_whenHeaderIsNotAVersion() {
        authenticate("user-1", null);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("If-Match", "\"abc\"");

        CommandContext context = resolve(request);

        assertThatThrownBy(context::expectedVersion)
                .isInstanceOfSatisfying(RequestValidationException.class,
                                        e -> assertThat(e.errors()).singleElement()
                                                                   .extracting(error -> error.get("field"))
                                                                   .isEqualTo("If-Match"));
    }

    @Test
    void resolve_passesCorrelationIdThrough_whenHeaderIsSent() {
        authenticate("user-1", null);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("X-Correlation-Id", "run-42:step.3");

        assertThat(resolve(request).correlationId()).isEqualTo("run-42:step.3");
        assertThat(resolve(new MockHttpServletRequest()).correlationId()).isNull();
    }

    @Test
    void resolve_fails_whenNoTokenWasVerified() {
        assertThatThrownBy(() -> resolve(new MockHttpServletRequest())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void supportsParameter_isTrueOnlyForCommandContext() throws NoSuchMethodException {
        MethodParameter context = new MethodParameter(Endpoints.class.getDeclaredMethod("endpoint", CommandContext.class,
                                                                                         String.class), 0);
        MethodParameter other = new MethodParameter(Endpoints.class.getDeclaredMethod("endpoint", CommandContext.class,
                                                                                       String.class), 1);

        assertThat(resolver.supportsParameter(context)).isTrue();
        assertThat(resolver.supportsParameter(other)).isFalse();
    }

    private CommandContext resolve(MockHttpServletRequest request) {
        return resolver.resolveArgument(null, null, new ServletWebRequest(request), null);
    }

    private static void authenticate(String subject, String actorType) {
        Jwt.Builder jwt = Jwt.withTokenValue("token").header("alg", "HS256").subject(subject)
                             .claim("tenant_id", TENANT.toString());
        if (actorType != null) {
            jwt.claim("actor_type", actorType);
        }
        SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt.build()));
    }

    @SuppressWarnings("unused")
    private static final class Endpoints {

        void endpoint(CommandContext context, String other) {
        }
    }
}
