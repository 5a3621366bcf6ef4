package dev.verity.query.budget.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The live budget projection writes {@code read_model}; rebuilds and as-of views make their own instance. */
@Configuration(proxyBeanMethods = false)
class BudgetProjectionConfiguration {

    @Bean
    BudgetProjection budgetProjection(NamedParameterJdbcTemplate jdbc) {
        return new BudgetProjection(new ReadModelWriter(jdbc, ReadModelWriter.READ_MODEL));
    }

    @Bean
    ProjectionDefinition budgetProjectionDefinition() {
        return new ProjectionDefinition() {
            @Override
            public String name() {
                return BudgetProjection.PROCESSING_GROUP;
            }

            @Override
            public List<String> tables() {
                return List.of("budget_limits");
            }

            @Override
            public Object newInstance(ReadModelWriter writer) {
                return new BudgetProjection(writer);
            }
        };
    }
}
