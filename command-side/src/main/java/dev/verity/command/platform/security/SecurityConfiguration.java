package dev.verity.command.platform.security;

import dev.verity.command.platform.web.ProblemResponses;
import dev.verity.security.VerifiedTokenCache;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer JWTs (HS256) on every API call; health stays open for orchestrators, and so does the
 * OpenAPI description at {@code /v3/api-docs}. Commands need the {@code write} scope
 * ({@link ScopeRules}). Token times ({@code exp}, {@code nbf}) are checked by Spring's default
 * validator with its 60 seconds of allowed clock skew. Failures answer as RFC 9457 problems like every other error.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        http.csrf(csrf -> csrf.disable())
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .authorizeHttpRequests(auth -> {
                auth.requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                    // The OpenAPI description: the API's shape is no secret; every command still needs a token.
                    .requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**").permitAll();
                // Other methods on /api never get here: PostOnlyFilter answers them 405 first.
                ScopeRules.RULES.forEach(rule -> auth.requestMatchers(rule.method(), rule.pattern())
                        .hasAnyAuthority(rule.scopes().stream().map("SCOPE_"::concat).toArray(String[]::new)));
                auth.anyRequest().denyAll();
            })
            .oauth2ResourceServer(oauth -> oauth
                    .jwt(jwt -> { })
                    .authenticationEntryPoint((request, response, e) ->
                            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "unauthorized",
                                         "A valid bearer token is required: " + e.getMessage()))
                    .accessDeniedHandler((request, response, e) ->
                            ProblemResponses.write(response, HttpStatus.FORBIDDEN, "forbidden",
                                         "The token lacks the scope this call needs")))
            .exceptionHandling(ex -> ex
                    .authenticationEntryPoint((request, response, e) ->
                            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "unauthorized",
                                         "A valid bearer token is required"))
                    .accessDeniedHandler((request, response, e) ->
                            ProblemResponses.write(response, HttpStatus.FORBIDDEN, "forbidden",
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
}
