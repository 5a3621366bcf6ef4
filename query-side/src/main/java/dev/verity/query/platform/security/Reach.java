package dev.verity.query.platform.security;

import org.springframework.security.oauth2.jwt.Jwt;

import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

/**
 * Whose operational data (dead letters, their counts) a caller may see and act on: its own
 * tenant's with scope {@code admin}, every tenant's with scope {@code operator}. Tenant-scoped
 * callers meet another tenant's data exactly as they meet data that does not exist.
 */
public record Reach(UUID tenantId) {

    public static final String OPERATOR = "operator";

    public static Reach of(Jwt jwt) {
        return hasScope(jwt, OPERATOR) ? everyTenant() : tenant(Caller.from(jwt).tenantId());
    }

    public static Reach everyTenant() {
        return new Reach(null);
    }

    public static Reach tenant(UUID tenantId) {
        return new Reach(tenantId);
    }

    /** The one tenant the caller is confined to; empty for an operator. */
    public Optional<UUID> tenant() {
        return Optional.ofNullable(tenantId);
    }

    /** Whether data of {@code owner} (null: of no known tenant) is within reach. */
    public boolean covers(UUID owner) {
        return tenantId == null || tenantId.equals(owner);
    }

    public static boolean hasScope(Jwt jwt, String scope) {
        Object scopes = jwt.getClaim("scope");
        if (scopes instanceof Collection<?> list) {
            return list.contains(scope);
        }
        return scopes instanceof String text && Arrays.asList(text.split(" ")).contains(scope);
    }
}
