package dev.verity.command.task;

import dev.verity.command.task.TaskCommand.ResolveDependency;
import dev.verity.events.common.ActorType;
import dev.verity.events.common.MetadataKeys;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskCreated;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.MetaData;
import org.springframework.stereotype.Component;

import java.util.UUID;

/**
 * Process manager that returns a task from {@code blocked} when the last task it depends on
 * completes. It runs in its own streaming processor, after the fact, so it also handles the race
 * where a dependency completes between a task's creation check and its event: on creation it
 * resolves dependencies that have meanwhile completed. Resolving twice is a no-op in the aggregate.
 */
@Component
@ProcessingGroup(DependencyManager.PROCESSING_GROUP)
class DependencyManager {

    static final String PROCESSING_GROUP = "task-dependencies";
    static final String ACTOR_ID = "dependency-manager";

    private final TaskLookup lookup;
    private final CommandGateway commandGateway;

    DependencyManager(TaskLookup lookup, CommandGateway commandGateway) {
        this.lookup = lookup;
        this.commandGateway = commandGateway;
    }

    @EventHandler
    void on(TaskCompleted event) {
        for (TaskLookup.Entry dependent : lookup.dependentsOf(event.taskId())) {
            resolve(dependent.taskId(), dependent.tenantId(), event.taskId());
        }
    }

    @EventHandler
    void on(TaskCreated event) {
        for (UUID dependency : event.blockedBy()) {
            lookup.find(event.tenantId(), dependency)
                  .filter(TaskLookup.Entry::completed)
                  .ifPresent(completed -> resolve(event.taskId(), event.tenantId(), dependency));
        }
    }

    private void resolve(UUID taskId, UUID tenantId, UUID dependencyId) {
        MetaData metaData = MetaData.with(MetadataKeys.TENANT_ID, tenantId.toString())
                                    .and(MetadataKeys.ACTOR_TYPE, ActorType.SYSTEM.wire())
                                    .and(MetadataKeys.ACTOR_ID, ACTOR_ID);
        commandGateway.sendAndWait(GenericCommandMessage.asCommandMessage(
                new ResolveDependency(taskId, tenantId, dependencyId)).andMetaData(metaData));
    }
}
