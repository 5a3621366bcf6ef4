package dev.verity.query.kit.query;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.kit.projection.KitExecutionProjection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Kit executions in the audit API: {@code /api/v1/audit/kit-executions/{id}/history}, and
 * {@code .../as-of} in the shape of {@code GET /api/v1/kit-executions/{id}}, read by the same query
 * code from scratch tables.
 */
@Configuration(proxyBeanMethods = false)
class KitExecutionAuditConfiguration {

    @Bean
    AuditedAggregate auditedKitExecution(KitExecutionQueries queries) {
        return new AuditedAggregate("KitExecution", List.of("kit-executions", "kit-execution"),
                                    KitExecutionProjection.PROCESSING_GROUP, queries::kitExecution);
    }
}
