package dev.verity.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.upcasting.event.InitialEventRepresentation;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class NulCharacterUpcasterTest {

    private final Serializer serializer = new EventStoreConfiguration().eventSerializer();
    private final NulCharacterUpcaster upcaster = new NulCharacterUpcaster();

    @Test
    void upcast_replacesNulInEveryStringAndKey_ofPayloadAndMetadata() {
        IntermediateEventRepresentation stored = stored(
                "{\"title\":\"a\\u0000b\",\"nested\":{\"k\\u0000\":[\"x\\u0000\",1,true]},\"n\":2}",
                "{\"tenantId\":\"t\",\"correlationId\":\"c\\u0000\",\"deep\":{\"l\":[\"\\u0000\"]}}");

        IntermediateEventRepresentation read = upcast(stored);

        JsonNode payload = read.getData(JsonNode.class).getData();
        assertThat(payload.get("title").textValue()).isEqualTo("a\uFFFDb");
        assertThat(payload.get("nested").get("k\uFFFD").get(0).textValue()).isEqualTo("x\uFFFD");
        assertThat(payload.get("nested").get("k\uFFFD").get(1).intValue()).isEqualTo(1);
        assertThat(payload.get("n").intValue()).isEqualTo(2);
        MetaData metaData = read.getMetaData().getObject();
        assertThat(metaData.get("correlationId")).isEqualTo("c\uFFFD");
        assertThat(metaData.get("tenantId")).isEqualTo("t");
        assertThat(metaData.get("deep")).isEqualTo(Map.of("l", List.of("\uFFFD")));
    }

    @Test
    void upcast_leavesAnEventWithoutNulAsItIs() {
        IntermediateEventRepresentation stored = stored("{\"title\":\"plain \\\\ text \\u00e9\"}", "{\"tenantId\":\"t\"}");

        assertThat(upcast(stored)).isSameAs(stored);
    }

    private IntermediateEventRepresentation upcast(IntermediateEventRepresentation stored) {
        return upcaster.upcast(Stream.of(stored)).findFirst().orElseThrow();
    }

    private IntermediateEventRepresentation stored(String payload, String metaData) {
        return new InitialEventRepresentation(new GenericDomainEventEntry<>(
                "Task", "task-1", 0, "event-1", Instant.now(), "dev.verity.events.task.TaskEvent$TaskCreated", null,
                payload.getBytes(StandardCharsets.UTF_8), metaData.getBytes(StandardCharsets.UTF_8)), serializer);
    }
}
