package dev.verity.query.task.projection;

import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** The live task projection writes {@code read_model}; other schemas get their own instance. */
@Configuration(proxyBeanMethods = false)
class TaskProjectionConfiguration {

    @Bean
    TaskProjection taskProjection(NamedParameterJdbcTemplate jdbc) {
        return new TaskProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }
}
