package dev.verity.query.kit.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The live kit execution projection writes {@code read_model}; rebuilds and as-of views make their own instance. */
@Configuration(proxyBeanMethods = false)
class KitExecutionProjectionConfiguration {

    static final List<String> TABLES = List.of("kit_executions", "kit_execution_outputs");

    @Bean
    KitExecutionProjection kitExecutionProjection(NamedParameterJdbcTemplate jdbc) {
        return new KitExecutionProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }

    @Bean
    ProjectionDefinition kitExecutionProjectionDefinition() {
        return new ProjectionDefinition() {
            @Override
            public String name() {
                return KitExecutionProjection.PROCESSING_GROUP;
            }

            @Override
            public List<String> tables() {
                return TABLES;
            }

            @Override
            public Object newInstance(ReadModelWriter writer) {
                return new KitExecutionProjection(writer);
            }
        };
    }
}
