package dev.verity.query.platform.security;

import dev.verity.events.common.ActorType;
import org.springframework.security.oauth2.jwt.Jwt;

import java.util.UUID;

/** Who is calling, read from a token that {@link TokenClaimsValidator} has already checked. */
public record Caller(UUID tenantId, ActorType actorType, String actorId) {

    public static Caller from(Jwt jwt) {
        String actorType = jwt.getClaimAsString(TokenClaimsValidator.ACTOR_TYPE);
        return new Caller(UUID.fromString(jwt.getClaimAsString(TokenClaimsValidator.TENANT_ID)),
                          "agent".equals(actorType) ? ActorType.AGENT : ActorType.USER,
                          jwt.getSubject());
    }
}
