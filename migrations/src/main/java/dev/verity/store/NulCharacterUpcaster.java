package dev.verity.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.LazyDeserializingObject;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A way back for events stored before the command edge refused NUL: PostgreSQL text and jsonb
 * cannot hold U+0000, so a projection writing such a payload fails on it forever and parks every
 * later event of its record. On read, this replaces every U+0000 in the payload's strings and
 * keys, and in the metadata's, by U+FFFD (the replacement character), so the event projects.
 * <p>
 * Only what is read changes; the stored event stays exactly as it was written (the table is
 * append-only anyway). So the ledger, which hashes stored bytes, still verifies, and the audit
 * history still shows the event as stored. Every other event passes untouched, after a scan of
 * its bytes for the escape Jackson writes a NUL as.
 */
public class NulCharacterUpcaster extends SingleEventUpcaster {

    static final char NUL = '\0';
    static final char REPLACEMENT = '\uFFFD';
    private static final byte[] ESCAPED_NUL = "\\u0000".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation event) {
        return holdsNul(event.getData().getData()) || metaDataHoldsNul(event.getMetaData());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation event) {
        return event.upcast(event.getType(), JsonNode.class, NulCharacterUpcaster::clean, NulCharacterUpcaster::clean);
    }

    private static boolean metaDataHoldsNul(LazyDeserializingObject<MetaData> metaData) {
        if (metaData.isDeserialized()) {
            return !clean(metaData.getObject()).equals(metaData.getObject());
        }
        SerializedObject<?> serialized = metaData.getSerializedObject();
        return serialized != null && holdsNul(serialized.getData());
    }

    /** A false alarm (an escaped backslash before {@code u0000}) only costs a rebuilt tree with nothing replaced. */
    private static boolean holdsNul(Object data) {
        if (data instanceof byte[] bytes) {
            return indexOf(bytes, ESCAPED_NUL) >= 0;
        }
        if (data instanceof String text) {
            return text.indexOf(NUL) >= 0 || text.contains("\\u0000");
        }
        if (data instanceof JsonNode node) {
            return !clean(node).equals(node);
        }
        return data != null;
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static JsonNode clean(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return text.indexOf(NUL) < 0 ? node : TextNode.valueOf(clean(text));
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(field -> copy.set(clean(field.getKey()), clean(field.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(clean(element)));
            return copy;
        }
        return node;
    }

    static MetaData clean(MetaData metaData) {
        Map<String, Object> cleaned = new LinkedHashMap<>();
        metaData.forEach((key, value) -> cleaned.put(clean(key), cleanValue(value)));
        return MetaData.from(cleaned);
    }

    private static Object cleanValue(Object value) {
        if (value instanceof String text) {
            return clean(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> cleaned = new LinkedHashMap<>();
            map.forEach((key, inner) -> cleaned.put(cleanValue(key), cleanValue(inner)));
            return cleaned;
        }
        if (value instanceof Collection<?> values) {
            return values.stream().map(NulCharacterUpcaster::cleanValue).toList();
        }
        if (value instanceof JsonNode node) {
            return clean(node);
        }
        return value;
    }

    private static String clean(String text) {
        return text.replace(NUL, REPLACEMENT);
    }
}
