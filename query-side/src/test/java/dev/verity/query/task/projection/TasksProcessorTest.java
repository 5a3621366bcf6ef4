package dev.verity.query.task.projection;

import dev.verity.query.QuerySideTest;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** How the live projection is run: batched from the event store, and never past a failing event. */
class TasksProcessorTest extends QuerySideTest {

    @Autowired
    private EventProcessingConfiguration processing;

    @Test
    void tasksProjection_runsInAPooledStreamingProcessorNamedTasks() {
        assertThat(processing.eventProcessorByProcessingGroup(TaskProjection.PROCESSING_GROUP))
                .get()
                .isInstanceOf(PooledStreamingEventProcessor.class)
                .satisfies(processor -> assertThat(processor.getName()).isEqualTo("tasks"));
    }

    @Test
    void aFailingHandler_failsTheBatch_insteadOfSkippingTheEvent() {
        assertThat(processing.listenerInvocationErrorHandler(TaskProjection.PROCESSING_GROUP))
                .isInstanceOf(PropagatingErrorHandler.class);
    }
}
