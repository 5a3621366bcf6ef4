package dev.verity.query.task.query;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.task.projection.TaskProjection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Tasks in the audit API: {@code /api/v1/audit/tasks/{id}/history}, and {@code .../as-of} in the
 * shape of {@code GET /api/v1/tasks/{id}}, read by the same query code from scratch tables.
 */
@Configuration(proxyBeanMethods = false)
class TaskAuditConfiguration {

    @Bean
    AuditedAggregate auditedTask(TaskQueries queries) {
        return new AuditedAggregate("Task", List.of("tasks", "task"), TaskProjection.PROCESSING_GROUP, queries::task);
    }
}
