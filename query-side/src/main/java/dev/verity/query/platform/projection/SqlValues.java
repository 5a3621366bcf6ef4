package dev.verity.query.platform.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.verity.events.common.Wire;
import org.postgresql.util.PGobject;
import org.springframework.jdbc.support.SqlArrayValue;

import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Event values in the column types the read model uses: TIMESTAMPTZ, JSONB, UUID[] and the
 * enums' wire spelling. JSON is written with Jackson 2 like the events it comes from, so a map
 * lands in the table exactly as the event stored it.
 */
public final class SqlValues {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private SqlValues() {
    }

    /** PostgreSQL's driver takes an offset time, not an Instant; the offset is always UTC. */
    public static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    public static String wire(Wire value) {
        return value == null ? null : value.wire();
    }

    /** A JSONB value, or SQL NULL for null. */
    public static PGobject json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            PGobject json = new PGobject();
            json.setType("jsonb");
            json.setValue(JSON.writeValueAsString(value));
            return json;
        } catch (JsonProcessingException | SQLException e) {
            throw new IllegalArgumentException("Cannot store as JSONB: " + value.getClass().getName(), e);
        }
    }

    /** A JSONB object for the NOT NULL map columns: an absent map is an empty one. */
    public static PGobject jsonObject(Map<String, ?> value) {
        return json(value == null ? Map.of() : value);
    }

    /** A UUID[] for the NOT NULL array columns: an absent list is an empty one. */
    public static UuidArray uuids(List<UUID> values) {
        return new UuidArray(values == null ? new UUID[0] : values.toArray(UUID[]::new));
    }

    /**
     * A UUID[] bound as Spring's {@link SqlArrayValue} binds it, which also knows its PostgreSQL
     * text form: a replay binding thousands of them in one statement sends that text for the
     * column to type, since {@code createArrayOf} looks the array type up again for every value.
     */
    public static final class UuidArray extends SqlArrayValue {

        private final UUID[] elements;

        UuidArray(UUID[] elements) {
            super("uuid", (Object[]) elements);
            this.elements = elements;
        }

        /** The array literal, e.g. {@code {0190...,NULL}}: UUIDs need no quoting. */
        public String literal() {
            StringBuilder text = new StringBuilder(2 + elements.length * 37).append('{');
            for (int i = 0; i < elements.length; i++) {
                text.append(i == 0 ? "" : ",").append(elements[i] == null ? "NULL" : elements[i].toString());
            }
            return text.append('}').toString();
        }
    }
}
