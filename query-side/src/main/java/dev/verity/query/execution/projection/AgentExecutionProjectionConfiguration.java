package dev.verity.query.execution.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The live agent execution projection writes {@code read_model}; rebuilds and as-of views make their own instance. */
@Configuration(proxyBeanMethods = false)
class AgentExecutionProjectionConfiguration {

    static final List<String> TABLES = List.of("agent_executor_state", "checkpoint_snapshots");

    @Bean
    AgentExecutionProjection agentExecutionProjection(NamedParameterJdbcTemplate jdbc) {
        return new AgentExecutionProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }

    @Bean
    ProjectionDefinition agentExecutionProjectionDefinition() {
        return new ProjectionDefinition() {
            @Override
            public String name() {
                return AgentExecutionProjection.PROCESSING_GROUP;
            }

            @Override
            public List<String> tables() {
                return TABLES;
            }

            @Override
            public Object newInstance(ReadModelWriter writer) {
                return new AgentExecutionProjection(writer);
            }
        };
    }
}
