package dev.verity.query.session.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The live session projection writes {@code read_model}; rebuilds and as-of views make their own instance. */
@Configuration(proxyBeanMethods = false)
class SessionProjectionConfiguration {

    static final List<String> TABLES = List.of("elicitation_sessions", "elicitation_obligations", "obligation_events");

    @Bean
    SessionProjection sessionProjection(NamedParameterJdbcTemplate jdbc) {
        return new SessionProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }

    @Bean
    ProjectionDefinition sessionProjectionDefinition() {
        return new ProjectionDefinition() {
            @Override
            public String name() {
                return SessionProjection.PROCESSING_GROUP;
            }

            @Override
            public List<String> tables() {
                return TABLES;
            }

            @Override
            public Object newInstance(ReadModelWriter writer) {
                return new SessionProjection(writer);
            }
        };
    }
}
