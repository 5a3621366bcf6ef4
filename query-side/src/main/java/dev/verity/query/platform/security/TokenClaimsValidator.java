package dev.verity.query.platform.security;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A token without a subject, a UUID tenant or a known actor type is as good as no token: 401. So
 * is one whose subject the read model could not store as an actor id (over 255 characters, or
 * with a control character), as the command side refuses it too.
 */
class TokenClaimsValidator implements OAuth2TokenValidator<Jwt> {

    static final String TENANT_ID = "tenant_id";
    static final String ACTOR_TYPE = "actor_type";
    /** The actor id columns are VARCHAR(255). */
    static final int MAX_SUBJECT_LENGTH = 255;
    private static final Set<String> ACTOR_TYPES = Set.of("user", "agent");

    @Override
    public OAuth2TokenValidatorResult validate(Jwt jwt) {
        List<OAuth2Error> errors = new ArrayList<>();
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            errors.add(invalid("the token has no sub claim"));
        } else if (subject.length() > MAX_SUBJECT_LENGTH) {
            errors.add(invalid("the token's sub claim is longer than " + MAX_SUBJECT_LENGTH + " characters"));
        } else if (subject.chars().anyMatch(Character::isISOControl)) {
            errors.add(invalid("the token's sub claim holds a control character"));
        }
        if (!isUuid(jwt.getClaimAsString(TENANT_ID))) {
            errors.add(invalid("the token's tenant_id claim must be a UUID"));
        }
        String actorType = jwt.getClaimAsString(ACTOR_TYPE);
        if (actorType != null && !ACTOR_TYPES.contains(actorType)) {
            errors.add(invalid("the token's actor_type claim must be user or agent"));
        }
        if (jwt.getExpiresAt() == null) {
            errors.add(invalid("the token has no exp claim"));
        }
        return errors.isEmpty() ? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(errors);
    }

    private static boolean isUuid(String value) {
        if (value == null) {
            return false;
        }
        try {
            UUID.fromString(value);
            // UUID.fromString also accepts short forms such as "1-2-3-4-5".
            return value.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static OAuth2Error invalid(String description) {
        return new OAuth2Error("invalid_token", description, null);
    }
}
