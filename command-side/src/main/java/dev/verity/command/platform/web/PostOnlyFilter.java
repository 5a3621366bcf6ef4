package dev.verity.command.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The command API only takes commands: any other method on {@code /api/**} is 405 pointing at
 * the query API ({@code verity.query.base-url}), whatever the token, so a client that confused
 * the two ports learns that rather than a 404 or a 403. Commands are POSTs, except the two that
 * set a value whole and are sent with {@code PUT} ({@link #PUT_PATHS}): a project's budget and an
 * obligation's embedding.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class PostOnlyFilter extends OncePerRequestFilter {

    /** {@code PUT /api/v1/projects/{projectId}/budget} and {@code PUT /api/v1/sessions/{id}/obligations/{key}/embedding}. */
    static final Pattern PUT_PATHS = Pattern.compile(
            "^/api/v1/projects/[^/]+/budget$|^/api/v1/sessions/[^/]+/obligations/[^/]+/embedding$");

    private final String queryBaseUrl;

    PostOnlyFilter(@Value("${verity.query.base-url}") String queryBaseUrl) {
        this.queryBaseUrl = queryBaseUrl.replaceAll("/+$", "");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/") || request.getMethod().equals(allowed(request));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException {
        response.setHeader("Allow", allowed(request));
        ProblemResponses.write(response, HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                               "The command API takes only " + allowed(request) + " here; read with GET on the query API: "
                               + queryBaseUrl + request.getRequestURI());
    }

    private static String allowed(HttpServletRequest request) {
        return PUT_PATHS.matcher(request.getRequestURI()).matches() ? "PUT" : "POST";
    }
}
