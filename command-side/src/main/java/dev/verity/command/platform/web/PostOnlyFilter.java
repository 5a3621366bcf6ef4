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

/**
 * The command API only takes commands: any other method on {@code /api/**} is 405 pointing at
 * the query API ({@code verity.query.base-url}), whatever the token, so a client that confused
 * the two ports learns that rather than a 404 or a 403. The one command sent with {@code PUT} is
 * a project's budget, which is set whole ({@link #PUT_PATH}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class PostOnlyFilter extends OncePerRequestFilter {

    /** {@code PUT /api/v1/projects/{projectId}/budget}. */
    static final java.util.regex.Pattern PUT_PATH = java.util.regex.Pattern.compile("/api/v1/projects/[^/]+/budget");

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
        return PUT_PATH.matcher(request.getRequestURI()).matches() ? "PUT" : "POST";
    }
}
