package dev.verity.query.stream;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The PostgreSQL channels the live stream listens on (V19 says what the triggers send there), and
 * the one notice Java sends itself: a rebuild's swap, in the swap's own transaction, so it is heard
 * exactly when the rebuilt tables become visible and never for a swap that rolled back.
 */
public final class ChangeNotices {

    /** {@code {"tenant", "table", "id", "version"}}: a record's root row reached a version. */
    static final String RECORDS = "verity_records";
    /** {@code {"processor"}}, {@code {"projection"}} or {@code {"projection", "swapped": true}}. */
    static final String PROJECTIONS = "verity_projections";

    private ChangeNotices() {
    }

    /** Announces that {@code projection}'s rebuilt tables replace the live ones when the caller's transaction commits. */
    public static void swapped(JdbcTemplate jdbc, String projection) {
        jdbc.queryForObject("SELECT pg_notify(?, json_build_object('projection', ?::text, 'swapped', true)::text)",
                            String.class, PROJECTIONS, projection);
    }
}
