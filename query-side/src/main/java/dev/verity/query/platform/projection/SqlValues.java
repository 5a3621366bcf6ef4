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
    public static SqlArrayValue uuids(List<UUID> values) {
        return new SqlArrayValue("uuid", (Object[]) (values == null ? new UUID[0] : values.toArray(UUID[]::new)));
    }
}
