package dev.verity.query.platform.tenancy;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * One page of a list read by keyset pagination on id, the way every slice's list endpoint reads:
 * UUIDv7 ids sort by creation, so a page never skips or repeats a row however many rows arrive
 * between two pages, and each page is one index range scan rather than an ever larger OFFSET.
 * The page reads one row more than it returns to know whether another page follows. As every
 * tenant read, it goes through {@link TenantReads}, so row-level security alone decides which rows
 * exist; the SQL carries no tenant condition.
 *
 * @param items the page's rows, in id order
 * @param last  the id to continue after, or null when this was the last page
 */
public record KeysetPage<T>(List<T> items, UUID last) {

    /** A list's equality filters and where its page starts. */
    public static final class Query {

        private final List<String> conditions = new ArrayList<>();
        private final MapSqlParameterSource parameters = new MapSqlParameterSource();
        private final int limit;

        /** The page of at most {@code limit} rows after id {@code after} (null: from the first). */
        public Query(UUID after, int limit) {
            this.limit = limit;
            parameters.addValue("limit", limit + 1);
            if (after != null) {
                conditions.add("id > :after");
                parameters.addValue("after", after);
            }
        }

        /**
         * Only rows whose {@code column} equals {@code value}; a null value filters nothing. The
         * column name is the caller's constant, never a client's string: only values are bound.
         */
        public Query whereEquals(String column, Object value) {
            if (value != null) {
                conditions.add(column + " = :" + column);
                parameters.addValue(column, value);
            }
            return this;
        }

        private String sql(String select) {
            String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
            return select + where + " ORDER BY id LIMIT :limit";
        }
    }

    /**
     * Reads the page as tenant {@code tenantId}: {@code select} is the list's
     * {@code SELECT columns FROM table}, to which the filters, the order and the limit are added.
     */
    public static <T> KeysetPage<T> read(TenantReads reads, UUID tenantId, String select, Query query,
                                         RowMapper<T> rows, Function<T, UUID> id) {
        List<T> found = reads.read(tenantId, jdbc -> jdbc.query(query.sql(select), query.parameters, rows));
        if (found.size() <= query.limit) {
            return new KeysetPage<>(found, null);
        }
        List<T> page = found.subList(0, query.limit);
        return new KeysetPage<>(page, id.apply(page.get(query.limit - 1)));
    }
}
