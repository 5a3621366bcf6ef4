package dev.verity.command.platform.axon;

import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * The source of the command side's streaming processors:
 * {@code axon.eventhandling.processors.<name>.source: pollingEventSource}.
 */
@Configuration(proxyBeanMethods = false)
class EventSourceConfiguration {

    /** {@code verity.processors.poll-interval} (100 ms): how far behind the commands they may be. */
    @Bean(destroyMethod = "close")
    PollingEventSource pollingEventSource(EventStorageEngine storageEngine,
                                          @Value("${verity.processors.poll-interval:100ms}") Duration pollInterval) {
        return new PollingEventSource(storageEngine, pollInterval);
    }
}
