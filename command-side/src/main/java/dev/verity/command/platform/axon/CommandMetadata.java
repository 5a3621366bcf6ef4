package dev.verity.command.platform.axon;

import dev.verity.events.common.MetadataKeys;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies who and why from a message onto everything it causes: tenant and actor pass through,
 * the correlation id stays the same along a whole chain, and the causation id is the message
 * that caused this one. Replaces Axon's MessageOriginProvider, whose names mean other things.
 */
@Component
public class CommandMetadata implements CorrelationDataProvider {

    private static final List<String> PASSED_THROUGH =
            List.of(MetadataKeys.TENANT_ID, MetadataKeys.ACTOR_TYPE, MetadataKeys.ACTOR_ID);

    @Override
    public Map<String, ?> correlationDataFor(Message<?> message) {
        Map<String, Object> data = new HashMap<>();
        for (String key : PASSED_THROUGH) {
            Object value = message.getMetaData().get(key);
            if (value != null) {
                data.put(key, value);
            }
        }
        Object correlationId = message.getMetaData().get(MetadataKeys.CORRELATION_ID);
        data.put(MetadataKeys.CORRELATION_ID, correlationId != null ? correlationId : message.getIdentifier());
        data.put(MetadataKeys.CAUSATION_ID, message.getIdentifier());
        return data;
    }
}
