package dev.verity.query.session.query;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.session.projection.SessionProjection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Sessions in the audit API: {@code /api/v1/audit/sessions/{id}/history}, and {@code .../as-of}
 * in the shape of {@code GET /api/v1/sessions/{id}} (its obligations included), read by the same
 * query code from scratch tables.
 */
@Configuration(proxyBeanMethods = false)
class SessionAuditConfiguration {

    @Bean
    AuditedAggregate auditedSession(SessionQueries queries) {
        return new AuditedAggregate("Session", List.of("sessions", "session"), SessionProjection.PROCESSING_GROUP,
                                    queries::session);
    }
}
