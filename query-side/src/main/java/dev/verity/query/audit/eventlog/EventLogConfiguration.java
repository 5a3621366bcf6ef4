package dev.verity.query.audit.eventlog;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The live event log writes {@code read_model}; rebuilds and verification make their own instance. */
@Configuration(proxyBeanMethods = false)
class EventLogConfiguration {

    @Bean
    EventLogProjection eventLogProjection(NamedParameterJdbcTemplate jdbc,
                                          @Qualifier("eventSerializer") Serializer eventSerializer) {
        return new EventLogProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL), eventSerializer,
                                      new StoredPositions(jdbc));
    }

    @Bean
    ProjectionDefinition eventLogProjectionDefinition(NamedParameterJdbcTemplate jdbc,
                                                      @Qualifier("eventSerializer") Serializer eventSerializer) {
        StoredPositions positions = new StoredPositions(jdbc);
        return new ProjectionDefinition() {
            @Override
            public String name() {
                return EventLogProjection.PROCESSING_GROUP;
            }

            @Override
            public List<String> tables() {
                return List.of(EventLogProjection.TABLE);
            }

            @Override
            public Object newInstance(ReadModelWriter writer) {
                return new EventLogProjection(writer, eventSerializer, positions);
            }
        };
    }
}
