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
 * The command API only takes commands (POST, and PUT for an embedding): any other method on
 * {@code /api/**} is 405 pointing at
 * the query API ({@code verity.query.base-url}), whatever the token, so a client that confused
 * the two ports learns that rather than a 404 or a 403.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class PostOnlyFilter extends OncePerRequestFilter {

    /** The one command that replaces a value whole, an obligation's embedding, is a PUT. */
    static final Pattern PUT_PATHS = Pattern.compile("^/api/v1/sessions/[^/]+/obligations/[^/]+/embedding$");

    private final String queryBaseUrl;

    PostOnlyFilter(@Value("${verity.query.base-url}") String queryBaseUrl) {
        this.queryBaseUrl = queryBaseUrl.replaceAll("/+$", "");
    }

    private static String allowed(HttpServletRequest request) {
        return PUT_PATHS.matcher(request.getRequestURI()).matches() ? "PUT" : "POST";
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return allowed(request).equals(request.getMethod()) || !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException {
        if (PUT_PATHS.matcher(request.getRequestURI()).matches()) {
            response.setHeader("Allow", "PUT");
            ProblemResponses.write(response, HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                                   "This command takes PUT; read with GET on the query API: "
                                   + queryBaseUrl + request.getRequestURI());
            return;
        }
        response.setHeader("Allow", "POST");
        ProblemResponses.write(response, HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                               "The command API takes only POST; read with GET on the query API: "
                               + queryBaseUrl + request.getRequestURI());
    }
}
