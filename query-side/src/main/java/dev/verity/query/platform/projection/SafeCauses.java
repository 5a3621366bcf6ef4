package dev.verity.query.platform.projection;

import org.axonframework.messaging.deadletter.ThrowableCause;

import java.sql.SQLException;
import java.util.Map;

/**
 * What a dead letter records of why its event failed: the exception's class, the innermost
 * cause's class and the SQLState, never an exception message. PostgreSQL puts row values into
 * its messages ({@code Detail: Key (id)=(...)}, the bytes of an invalid sequence), so a message
 * would copy fragments of a tenant's payload into a table operators and other code read.
 */
public final class SafeCauses {

    /** Fixed descriptions of the SQLStates a projection meets; others are shown by code only. */
    private static final Map<String, String> SQL_STATES = Map.ofEntries(
            Map.entry("22001", "value too long for its column"),
            Map.entry("22003", "numeric value out of range"),
            Map.entry("22007", "invalid date or time format"),
            Map.entry("22008", "date or time out of range"),
            Map.entry("22021", "invalid byte sequence for the encoding"),
            Map.entry("22P02", "invalid text representation"),
            Map.entry("22P05", "untranslatable character"),
            Map.entry("23502", "not-null violation"),
            Map.entry("23503", "foreign key violation"),
            Map.entry("23505", "unique violation"),
            Map.entry("23514", "check violation"),
            Map.entry("40001", "serialization failure"),
            Map.entry("40P01", "deadlock detected"),
            Map.entry("42501", "insufficient privilege"),
            Map.entry("57014", "query canceled"));

    /** Cause chains can loop; no real one is this deep. */
    private static final int MAX_DEPTH = 32;

    private SafeCauses() {
    }

    /** The cause to store for {@code failure}: its class as the type, a message made of classes and SQLState. */
    public static ThrowableCause of(Throwable failure) {
        return new ThrowableCause(failure.getClass().getName(), describe(failure));
    }

    /**
     * E.g. {@code org.springframework.dao.DuplicateKeyException; caused by PSQLException; SQLState 23505
     * (unique violation)}: always the failure's class name first, up to the first {@code ;}, which is
     * where a retry that failed again restores the stored type from.
     */
    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(failure.getClass().getName());
        Throwable root = failure;
        String sqlState = null;
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth++ < MAX_DEPTH; cause = cause.getCause()) {
            root = cause;
            if (sqlState == null && cause instanceof SQLException sql && sql.getSQLState() != null) {
                sqlState = sql.getSQLState();
            }
        }
        if (root != failure) {
            text.append("; caused by ").append(root.getClass().getSimpleName());
        }
        if (sqlState != null) {
            String known = SQL_STATES.get(sqlState);
            text.append("; SQLState ").append(sqlState.replaceAll("[^0-9A-Z]", ""));
            if (known != null) {
                text.append(" (").append(known).append(')');
            }
        }
        return text.toString();
    }
}
