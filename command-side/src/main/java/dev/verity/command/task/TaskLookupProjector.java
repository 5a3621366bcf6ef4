package dev.verity.command.task;

import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskStatus;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Keeps {@link TaskLookup} current. It runs in a subscribing processor, inside the transaction
 * that appends the events, so a task is known to the next command the moment it exists.
 */
@Component
@ProcessingGroup(TaskLookupProjector.PROCESSING_GROUP)
class TaskLookupProjector {

    static final String PROCESSING_GROUP = "task-lookup";

    private final JdbcTaskLookup lookup;

    TaskLookupProjector(JdbcTaskLookup lookup) {
        this.lookup = lookup;
    }

    @EventHandler
    void on(TaskCreated event) {
        lookup.recordCreated(event.taskId(), event.tenantId(), event.status().wire(), event.dependencies());
    }

    @EventHandler
    void on(TaskCompleted event) {
        lookup.recordStatus(event.taskId(), TaskStatus.COMPLETED.wire());
    }
}
