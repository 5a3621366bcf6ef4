package dev.verity.query.platform.web;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Request values are checked once, here, for every controller ({@link RequestParameterGuard},
 * {@link StorableInstantFormatter}), and writes meet {@link ReadOnlyApiFilter} before security.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    /** Before Spring Security's filter chain (order -100), so a write is a 405 whatever its token. */
    private static final int BEFORE_SECURITY = -110;

    @Bean
    FilterRegistrationBean<ReadOnlyApiFilter> readOnlyApiFilter(CommandApiProperties commandApi, JsonMapper json) {
        FilterRegistrationBean<ReadOnlyApiFilter> registration =
                new FilterRegistrationBean<>(new ReadOnlyApiFilter(commandApi, json));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(BEFORE_SECURITY);
        return registration;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        // The error path re-reads the original request's parameters, which may be exactly what was refused.
        registry.addInterceptor(new RequestParameterGuard()).excludePathPatterns("/error");
    }

    @Override
    public void addFormatters(FormatterRegistry registry) {
        registry.addFormatter(new StorableInstantFormatter());
    }
}
