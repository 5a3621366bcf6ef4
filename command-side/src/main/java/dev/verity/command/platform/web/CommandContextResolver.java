package dev.verity.command.platform.web;

import dev.verity.command.platform.security.Caller;
import org.springframework.core.MethodParameter;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives a controller method a {@link CommandContext} parameter in place of the token and the two
 * headers every command endpoint reads. The security filter chain has already refused a request
 * without a valid token (401) before any handler, so a missing token here is a wiring fault.
 */
class CommandContextResolver implements HandlerMethodArgumentResolver {

    static final String IF_MATCH = "If-Match";
    static final String CORRELATION_ID = "X-Correlation-Id";

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == CommandContext.class;
    }

    @Override
    public CommandContext resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
                                          NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof JwtAuthenticationToken token)) {
            throw new IllegalStateException("a command endpoint was reached without a verified token");
        }
        return new CommandContext(Caller.from(token.getToken()), webRequest.getHeader(IF_MATCH),
                                  webRequest.getHeader(CORRELATION_ID));
    }
}
