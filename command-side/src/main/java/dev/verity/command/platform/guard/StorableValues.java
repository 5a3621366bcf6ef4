package dev.verity.command.platform.guard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.verity.command.platform.DomainException;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Map;

/**
 * What the read model can hold. An event is stored for ever and projected into PostgreSQL text
 * and jsonb columns; a value they cannot take would park that record's events behind it for good.
 * So the guard refuses, before any event: NUL (U+0000, which neither text nor jsonb accepts) and
 * unpaired UTF-16 surrogates in any string or key, non-finite numbers (JSON has no NaN or
 * Infinity; {@code 1e400} parses as Infinity), instants outside years 0001 to 9999, and free-form
 * JSON fields over {@link JsonLimits}.
 */
final class StorableValues {

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    private static final String CODE = "validation_failed";

    private final JsonLimits limits;
    /** Configured like the event serializer, so the size is the size stored. */
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                                                        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    StorableValues(JsonLimits limits) {
        this.limits = limits;
    }

    void requireStorableKey(String mapPath, String key) {
        String problem = textProblem(key);
        if (problem != null) {
            throw DomainException.badField(CODE, mapPath, "has a key that " + problem);
        }
    }

    void requireStorable(String path, Object value) {
        String problem = null;
        if (value instanceof CharSequence text) {
            problem = textProblem(text.toString());
        } else if (value instanceof Double number && !Double.isFinite(number)
                || value instanceof Float single && !Float.isFinite(single)) {
            problem = "must be a finite number";
        } else if (value instanceof TemporalAccessor temporal && !withinCalendar(temporal)) {
            problem = "must be between the years 0001 and 9999";
        }
        if (problem != null) {
            throw DomainException.badField(CODE, path, problem);
        }
    }

    /** Counts keys and depth first, so a huge or deep field is refused before anything else walks it. */
    void requireWithinLimits(String path, Map<?, ?> field) {
        long keys = countKeys(path, field, 1, 0);
        if (keys > limits.maxKeys()) {
            throw DomainException.badField(CODE, path, "must hold at most " + limits.maxKeys() + " keys in all");
        }
        long maxBytes = limits.maxSize().toBytes();
        ByteCount size = new ByteCount();
        try {
            json.writeValue(size, field);
        } catch (IOException e) {
            throw DomainException.badField(CODE, path, "cannot be written as JSON");
        }
        if (size.bytes > maxBytes) {
            throw DomainException.badField(CODE, path, "must be at most " + maxBytes + " bytes as JSON");
        }
    }

    private long countKeys(String path, Object node, int depth, long counted) {
        if (!(node instanceof Map<?, ?>) && !(node instanceof Iterable<?>)) {
            return counted;
        }
        if (depth > limits.maxDepth()) {
            throw DomainException.badField(CODE, path, "must nest at most " + limits.maxDepth() + " levels deep");
        }
        long total = counted;
        Iterable<?> children = node instanceof Map<?, ?> map ? map.values() : (Iterable<?>) node;
        if (node instanceof Map<?, ?> map) {
            total += map.size();
            if (total > limits.maxKeys()) {
                return total;
            }
        }
        for (Object child : children) {
            total = countKeys(path, child, depth + 1, total);
            if (total > limits.maxKeys()) {
                return total;
            }
        }
        return total;
    }

    private static String textProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "must not contain the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain an unpaired UTF-16 surrogate";
            }
        }
        return null;
    }

    private static boolean withinCalendar(TemporalAccessor temporal) {
        if (temporal instanceof Instant instant) {
            return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
        }
        if (temporal.isSupported(ChronoField.INSTANT_SECONDS)) {
            return withinCalendar(Instant.from(temporal));
        }
        if (temporal instanceof LocalDate || temporal instanceof LocalDateTime
                || temporal.isSupported(ChronoField.YEAR)) {
            int year = temporal.get(ChronoField.YEAR);
            return year >= 1 && year <= 9999;
        }
        return true;
    }

    /** Counts what the serializer writes without keeping it. */
    private static final class ByteCount extends OutputStream {

        private long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            bytes += length;
        }
    }
}
