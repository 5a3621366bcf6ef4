package dev.verity.query.platform.tenancy;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.sql.Connection;

/**
 * Axon's JDBC components on the query side (token store, dead-letter queues) get their
 * connections from the {@link ConnectionProvider}; this hands each one back to its owner first
 * ({@link TenantWrites#restoreOwner}) when the last projection handling in the transaction left
 * the {@code verity_writer} role in place. So Axon's own writes run as the owner, never confined
 * to a tenant, while two handlings in a row need no role reset between them.
 */
@Configuration(proxyBeanMethods = false)
class OwnerConnections {

    /** Static, so that wrapping the provider initialises nothing early. */
    @Bean
    static BeanPostProcessor ownerConnectionProviders() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (!(bean instanceof ConnectionProvider provider)) {
                    return bean;
                }
                return (ConnectionProvider) () -> {
                    Connection connection = provider.getConnection();
                    TenantWrites.restoreOwner(connection);
                    return connection;
                };
            }
        };
    }
}
