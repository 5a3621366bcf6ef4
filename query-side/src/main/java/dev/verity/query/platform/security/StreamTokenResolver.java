package dev.verity.query.platform.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * Tokens come in the {@code Authorization} header everywhere. The live stream alone also takes
 * {@code ?access_token=} (RFC 6750 section 2.3), because a browser's {@code EventSource} cannot
 * send headers; a URL is more likely to be logged than a header, so no other endpoint does. A
 * request carrying both is refused (401), as RFC 6750 asks.
 */
class StreamTokenResolver implements BearerTokenResolver {

    static final String STREAM = "/api/v1/stream";

    private final DefaultBearerTokenResolver headerOnly = new DefaultBearerTokenResolver();
    private final DefaultBearerTokenResolver headerOrQuery = new DefaultBearerTokenResolver();

    StreamTokenResolver() {
        headerOrQuery.setAllowUriQueryParameter(true);
    }

    @Override
    public String resolve(HttpServletRequest request) {
        boolean stream = "GET".equals(request.getMethod()) && STREAM.equals(request.getRequestURI());
        return (stream ? headerOrQuery : headerOnly).resolve(request);
    }
}
