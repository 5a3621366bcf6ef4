package dev.verity.query.platform.security;

import org.springframework.http.HttpMethod;
import org.springframework.util.AntPathMatcher;

import java.util.List;
import java.util.Optional;

/**
 * Which scopes each API path needs, first match wins: the one list {@link SecurityConfiguration}
 * enforces and the OpenAPI description publishes, so the two cannot disagree. An empty scope list
 * means any valid token; the controller then decides (the live stream, by topic). Paths no rule
 * matches are refused to everyone.
 */
public final class ScopeRules {

    /** {@code method} null: any method. */
    public record Rule(HttpMethod method, String pattern, List<String> scopes) {
    }

    public static final List<Rule> RULES = List.of(
            new Rule(null, "/api/v1/audit/**", List.of("audit")),
            new Rule(null, "/api/v1/admin/verify", List.of(Reach.OPERATOR)),
            new Rule(null, "/api/v1/admin/projections/*/rebuild", List.of(Reach.OPERATOR)),
            new Rule(null, "/api/v1/admin/**", List.of("admin", Reach.OPERATOR)),
            new Rule(HttpMethod.GET, "/api/v1/stream", List.of()),
            new Rule(HttpMethod.HEAD, "/api/v1/stream", List.of()),
            new Rule(HttpMethod.GET, "/api/**", List.of("read")),
            // HEAD is GET without the body (RFC 9110): the same scope, so a client checking an
            // ETag or a cache's revalidation is not told 403.
            new Rule(HttpMethod.HEAD, "/api/**", List.of("read")),
            new Rule(HttpMethod.POST, "/api/v1/obligations/search", List.of("read")));

    private static final AntPathMatcher PATHS = new AntPathMatcher();

    private ScopeRules() {
    }

    /** The rule for a path template such as {@code /api/v1/tasks/{id}}: each {@code {name}} is one segment. */
    public static Optional<Rule> find(HttpMethod method, String path) {
        return RULES.stream()
                    .filter(rule -> rule.method() == null || rule.method().equals(method))
                    .filter(rule -> PATHS.match(rule.pattern(), path))
                    .findFirst();
    }
}
