package dev.verity.query.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;

/**
 * A write sent to the query API is a client talking to the wrong API: 405 pointing at the
 * command API, with or without a token, rather than the 403 or 404 that would send its author
 * looking for a missing scope or a typo. Runs before security and answers before any handler,
 * so opening a path to anonymous callers is never part of it. The only writes the query API
 * serves are operations under {@code /api/v1/admin/} and {@code /api/v1/audit/}, which pass
 * through to their own scope checks (and to a 405 of their own for a method a path lacks), and
 * the similarity search, a read whose vector is too large for a URL.
 */
class ReadOnlyApiFilter extends OncePerRequestFilter {

    private static final List<String> OPERATIONS = List.of("/api/v1/admin/", "/api/v1/audit/");
    /** Reads that need a body: a similarity search sends a 1536-number vector. */
    private static final List<String> READS_WITH_A_BODY = List.of("/api/v1/obligations/search");
    private static final UrlPathHelper PATHS = new UrlPathHelper();

    private final CommandApiProperties commandApi;
    private final JsonMapper json;

    ReadOnlyApiFilter(CommandApiProperties commandApi, JsonMapper json) {
        this.commandApi = commandApi;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String method = request.getMethod();
        String path = PATHS.getPathWithinApplication(request);
        boolean read = HttpMethod.GET.matches(method) || HttpMethod.HEAD.matches(method)
                       || HttpMethod.POST.matches(method) && READS_WITH_A_BODY.contains(path);
        if (read || OPERATIONS.stream().anyMatch(path::startsWith)) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        response.setHeader(HttpHeaders.ALLOW, "GET, HEAD");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(),
                        Problems.body(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method_not_allowed",
                                      commandApi.writesGoThere(method)));
    }
}
