package dev.verity.command.platform.security;

import org.springframework.http.HttpMethod;
import org.springframework.util.AntPathMatcher;

import java.util.List;
import java.util.Optional;

/**
 * The scopes each command path needs, first match wins: what {@link SecurityConfiguration}
 * enforces and what the OpenAPI description publishes, from this one list. Every command needs
 * {@code write}; the two commands that set a value whole are sent with PUT.
 */
public final class ScopeRules {

    public record Rule(HttpMethod method, String pattern, List<String> scopes) {
    }

    public static final List<Rule> RULES = List.of(
            new Rule(HttpMethod.POST, "/api/**", List.of("write")),
            new Rule(HttpMethod.PUT, "/api/v1/projects/*/budget", List.of("write")),
            new Rule(HttpMethod.PUT, "/api/v1/sessions/*/obligations/*/embedding", List.of("write")));

    private static final AntPathMatcher MATCHER = new AntPathMatcher();

    private ScopeRules() {
    }

    /** For a path template such as {@code /api/v1/tasks/{id}/assign}. */
    public static Optional<Rule> find(HttpMethod method, String template) {
        for (Rule rule : RULES) {
            if (rule.method().equals(method) && MATCHER.match(rule.pattern(), template)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }
}
