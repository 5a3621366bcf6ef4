package dev.verity.query.platform.projection;

import org.postgresql.util.PGobject;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Rows as one PostgreSQL array literal per column ({@code {"a","b",NULL}}), for a replay's
 * {@code INSERT ... SELECT FROM unnest(...)}. Only values whose text PostgreSQL reads back as
 * exactly what pgjdbc would have bound are written this way: strings, UUIDs, whole numbers,
 * decimals, booleans, JSON, UUID arrays, and times, which are rounded to the microsecond as
 * pgjdbc rounds them. Anything else (a double, whose text and binary conversions to a numeric
 * column can differ) makes the caller bind row by row instead.
 */
final class ArrayColumns {

    private static final DateTimeFormatter MICROSECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");

    private ArrayColumns() {
    }

    /**
     * Each column's array literal, in column order, from rows whose values come in that order;
     * empty when some value has no exact text form here.
     */
    static Optional<List<String>> of(List<? extends Collection<Object>> rows, int columns) {
        List<StringBuilder> arrays = new ArrayList<>(columns);
        for (int i = 0; i < columns; i++) {
            arrays.add(new StringBuilder(rows.size() * 16).append('{'));
        }
        boolean first = true;
        for (Collection<Object> row : rows) {
            Iterator<Object> values = row.iterator();
            for (int i = 0; i < columns; i++) {
                StringBuilder array = arrays.get(i);
                if (!first) {
                    array.append(',');
                }
                Object value = values.next();
                if (value == null) {
                    array.append("NULL");
                    continue;
                }
                String text = text(value);
                if (text == null) {
                    return Optional.empty();
                }
                quote(array, text);
            }
            first = false;
        }
        return Optional.of(arrays.stream().map(array -> array.append('}').toString()).toList());
    }

    /** The value as PostgreSQL reads it from text, or null when that is not exact. */
    private static String text(Object value) {
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof UUID || value instanceof Integer || value instanceof Long || value instanceof Short
            || value instanceof BigDecimal || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof OffsetDateTime time) {
            return time(time);
        }
        if (value instanceof SqlValues.UuidArray uuids) {
            return uuids.literal();
        }
        if (value instanceof PGobject object && "jsonb".equals(object.getType()) && object.getValue() != null) {
            return object.getValue();
        }
        return null;
    }

    /**
     * To the microsecond the way pgjdbc rounds an OffsetDateTime it binds (half a microsecond and
     * more goes up), in UTC; years outside 1–9999, which the command edge refuses, are left to it.
     */
    private static String time(OffsetDateTime time) {
        OffsetDateTime rounded = time.getNano() % 1_000 > 499 ? time.plus(1, ChronoUnit.MICROS) : time;
        OffsetDateTime utc = rounded.truncatedTo(ChronoUnit.MICROS).withOffsetSameInstant(ZoneOffset.UTC);
        if (utc.getYear() < 1 || utc.getYear() > 9999) {
            return null;
        }
        return MICROSECONDS.format(utc);
    }

    /** An element in double quotes, with backslashes and quotes escaped: any text reads back as itself. */
    private static void quote(StringBuilder array, String text) {
        array.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                array.append('\\');
            }
            array.append(c);
        }
        array.append('"');
    }
}
