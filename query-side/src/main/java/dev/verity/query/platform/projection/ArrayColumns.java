package dev.verity.query.platform.projection;

import org.postgresql.util.PGobject;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000};

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
                } else if (!append(array, value)) {
                    return Optional.empty();
                }
            }
            first = false;
        }
        return Optional.of(arrays.stream().map(array -> array.append('}').toString()).toList());
    }

    /**
     * Appends the value as an array element PostgreSQL reads back exactly; false when it has no
     * such form here. Whole numbers and booleans need no quotes (no comma, brace, quote,
     * backslash or space in them) and are appended without an intermediate string.
     */
    private static boolean append(StringBuilder array, Object value) {
        if (value instanceof String text) {
            quote(array, text);
        } else if (value instanceof Long number) {
            array.append(number.longValue());
        } else if (value instanceof Integer || value instanceof Short) {
            array.append(((Number) value).intValue());
        } else if (value instanceof Boolean flag) {
            array.append(flag.booleanValue());
        } else if (value instanceof UUID || value instanceof BigDecimal) {
            quote(array, value.toString());
        } else if (value instanceof OffsetDateTime time) {
            return time(array, time);
        } else if (value instanceof SqlValues.UuidArray uuids) {
            quote(array, uuids.literal());
        } else if (value instanceof PGobject object && "jsonb".equals(object.getType()) && object.getValue() != null) {
            quote(array, object.getValue());
        } else {
            return false;
        }
        return true;
    }

    /**
     * To the microsecond the way pgjdbc rounds an OffsetDateTime it binds (half a microsecond and
     * more goes up), in UTC, as {@code "uuuu-MM-dd HH:mm:ss.SSSSSS+00:00"} in quotes, written digit
     * by digit: a DateTimeFormatter cost a replay's writer 6 % of its CPU. Years outside 1–9999,
     * which the command edge refuses, are left to pgjdbc (false).
     */
    static boolean time(StringBuilder array, OffsetDateTime time) {
        OffsetDateTime rounded = time.getNano() % 1_000 > 499 ? time.plus(1, ChronoUnit.MICROS) : time;
        OffsetDateTime utc = rounded.truncatedTo(ChronoUnit.MICROS).withOffsetSameInstant(ZoneOffset.UTC);
        if (utc.getYear() < 1 || utc.getYear() > 9999) {
            return false;
        }
        array.append('"');
        digits(array, utc.getYear(), 4).append('-');
        digits(array, utc.getMonthValue(), 2).append('-');
        digits(array, utc.getDayOfMonth(), 2).append(' ');
        digits(array, utc.getHour(), 2).append(':');
        digits(array, utc.getMinute(), 2).append(':');
        digits(array, utc.getSecond(), 2).append('.');
        digits(array, utc.getNano() / 1_000, 6).append("+00:00\"");
        return true;
    }

    /** {@code value} in {@code width} digits, zeros first; width at most 6. */
    private static StringBuilder digits(StringBuilder array, int value, int width) {
        for (int divisor = POWERS_OF_TEN[width - 1]; divisor > 0; divisor /= 10) {
            array.append((char) ('0' + value / divisor % 10));
        }
        return array;
    }

    /** An element in double quotes, with backslashes and quotes escaped: any text reads back as itself. */
    private static void quote(StringBuilder array, String text) {
        array.append('"');
        if (text.indexOf('"') < 0 && text.indexOf('\\') < 0) {
            array.append(text);
        } else {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"' || c == '\\') {
                    array.append('\\');
                }
                array.append(c);
            }
        }
        array.append('"');
    }
}
