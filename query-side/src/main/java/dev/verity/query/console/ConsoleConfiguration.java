package dev.verity.query.console;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The operators' and auditors' console: static files in this jar ({@code static/console}) and the
 * charting library from its webjar, served without a token because they hold none. Every API call
 * the page makes carries the token the user pasted, and meets the API's own scope checks; this
 * chain only opens the assets. The content security policy allows scripts from this origin alone
 * (no inline scripts, no eval), so a value rendered from the API can never run as code; styles
 * may be inline because the charting library positions its tooltips with style attributes.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** Before the API's chain, which matches every request and requires a token. */
    @Bean
    @Order(0)
    SecurityFilterChain consoleAssets(HttpSecurity http) throws Exception {
        http.securityMatcher("/console", "/console/**", "/webjars/**")
            .csrf(csrf -> csrf.disable())
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
            .headers(headers -> headers
                    .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                    // The token travels in a URL fragment once (./verity console); no referrer ever carries a URL.
                    .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                    .frameOptions(frame -> frame.deny()));
        return http.build();
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/console", "/console/");
        registry.addViewController("/console/").setViewName("forward:/console/index.html");
    }
}
