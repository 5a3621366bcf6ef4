package dev.verity.query.platform.security;

import dev.verity.security.VerifiedTokenCache;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bearer JWTs (HS256) on every API call, as on the command side; health stays open for
 * orchestrators, and the OpenAPI description at {@code /v3/api-docs} for anyone. Scopes per path
 * are {@link ScopeRules}. Reads need {@code read}, the audit API {@code audit}. Operations are scoped like
 * data: {@code admin} reaches its own tenant's dead letters and projection state; {@code operator}
 * reaches every tenant's and alone runs platform-wide work (rebuilds, verification of every table).
 * Failures answer as RFC 9457 problems like every other error; they are written here because
 * they happen in the filter chain, before any controller advice can see them.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, JsonMapper json) throws Exception {
        http.csrf(csrf -> csrf.disable())
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .authorizeHttpRequests(auth -> {
                auth.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                    // The API's description is public, as the API's shape is no secret; calls still need tokens.
                    .requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**").permitAll();
                for (ScopeRules.Rule rule : ScopeRules.RULES) {
                    var matched = rule.method() == null ? auth.requestMatchers(rule.pattern())
                                                        : auth.requestMatchers(rule.method(), rule.pattern());
                    if (rule.scopes().isEmpty()) {
                        matched.authenticated();
                    } else {
                        matched.hasAnyAuthority(rule.scopes().stream().map(scope -> "SCOPE_" + scope)
                                                    .toArray(String[]::new));
                    }
                }
                auth.anyRequest().denyAll();
            })
            .oauth2ResourceServer(oauth -> oauth
                    .bearerTokenResolver(new StreamTokenResolver())
                    .jwt(jwt -> { })
                    .authenticationEntryPoint((request, response, e) ->
                            writeProblem(json, response, HttpStatus.UNAUTHORIZED, "unauthorized",
                                         "A valid bearer token is required: " + e.getMessage()))
                    .accessDeniedHandler((request, response, e) ->
                            writeProblem(json, response, HttpStatus.FORBIDDEN, "forbidden",
                                         "The token lacks the scope this call needs")))
            .exceptionHandling(ex -> ex
                    .authenticationEntryPoint((request, response, e) ->
                            writeProblem(json, response, HttpStatus.UNAUTHORIZED, "unauthorized",
                                         "A valid bearer token is required"))
                    .accessDeniedHandler((request, response, e) ->
                            writeProblem(json, response, HttpStatus.FORBIDDEN, "forbidden",
                                         "The token lacks the scope this call needs")));
        return http.build();
    }

    /**
     * No Micrometer observation around each security filter, authentication and authorization:
     * nothing exports them (only health is exposed), and wrapping every filter was about 8% of
     * the command side's samples under load.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    JwtDecoder jwtDecoder(SecurityProperties properties) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder
                .withSecretKey(new SecretKeySpec(properties.keyBytes(), "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(),
                                                                     new TokenClaimsValidator()));
        // Clients send the same token with every request: verify it once, re-check its times.
        return new VerifiedTokenCache(decoder);
    }

    private static void writeProblem(JsonMapper json, HttpServletResponse response, HttpStatus status,
                                     String code, String detail) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:verity:problem:" + code);
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", detail);
        body.put("code", code);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
