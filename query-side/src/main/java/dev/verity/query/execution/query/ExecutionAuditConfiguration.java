package dev.verity.query.execution.query;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.execution.projection.AgentExecutionProjection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Agent executions in the audit API: {@code /api/v1/audit/executions/{id}/history}, and
 * {@code .../as-of} in the shape of {@code GET /api/v1/executions/{id}} (with the checkpoints
 * live at that moment), read by the same query code from scratch tables.
 */
@Configuration(proxyBeanMethods = false)
class ExecutionAuditConfiguration {

    @Bean
    AuditedAggregate auditedAgentExecution(ExecutionQueries queries) {
        return new AuditedAggregate("AgentExecution", List.of("executions", "execution"),
                                    AgentExecutionProjection.PROCESSING_GROUP, queries::execution);
    }
}
