package dev.verity.command.task;

import dev.verity.command.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class JdbcTaskLookupTest extends IntegrationTest {

    @Autowired
    private JdbcTaskLookup lookup;

    @Test
    void find_seesATaskOnlyInItsOwnTenant() {
        UUID task = UUID.randomUUID();
        lookup.recordCreated(task, tenant, "pending", List.of());

        assertThat(lookup.find(tenant, task)).contains(new TaskLookup.Entry(task, tenant, false));
        assertThat(lookup.find(UUID.randomUUID(), task)).isEmpty();
    }

    @Test
    void recordStatus_marksCompleted() {
        UUID task = UUID.randomUUID();
        lookup.recordCreated(task, tenant, "pending", List.of());

        lookup.recordStatus(task, "completed");

        assertThat(lookup.find(tenant, task)).hasValueSatisfying(entry -> assertThat(entry.completed()).isTrue());
    }

    @Test
    void dependentsOf_listsTasksThatDeclaredTheDependency() {
        UUID dependency = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        lookup.recordCreated(dependency, tenant, "pending", List.of());
        lookup.recordCreated(first, tenant, "blocked", List.of(dependency));
        lookup.recordCreated(second, tenant, "blocked", List.of(dependency));
        lookup.recordCreated(first, tenant, "blocked", List.of(dependency));

        assertThat(lookup.dependentsOf(dependency)).extracting(TaskLookup.Entry::taskId)
                                                   .containsExactlyInAnyOrder(first, second);
    }
}
