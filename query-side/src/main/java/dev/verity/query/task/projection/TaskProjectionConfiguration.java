package dev.verity.query.task.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The live task projection writes {@code read_model}; rebuilds and as-of views make their own instance. */
@Configuration(proxyBeanMethods = false)
class TaskProjectionConfiguration {

    static final List<String> TABLES =
            List.of("tasks", "task_actions", "task_targets", "action_submissions", "task_activity", "steps");

    @Bean
    TaskProjection taskProjection(NamedParameterJdbcTemplate jdbc) {
        return new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }

    @Bean
    ProjectionDefinition taskProjectionDefinition() {
        return new ProjectionDefinition() {
            @Override
            public String name() {
                return TaskProjection.PROCESSING_GROUP;
            }

            @Override
            public List<String> tables() {
                return TABLES;
            }

            @Override
            public Object newInstance(ReadModelWriter writer) {
                return new TaskProjection(writer);
            }
        };
    }
}
