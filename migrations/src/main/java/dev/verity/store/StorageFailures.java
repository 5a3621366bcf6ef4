package dev.verity.store;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.TransactionTimedOutException;
import org.springframework.transaction.UnexpectedRollbackException;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether a failure means the database could not be reached or went away mid-request (refused
 * or reset connection, a pool that timed out, a commit or rollback that failed), however deeply
 * Axon, Spring or the servlet container wrapped it. Such a request has an unknown outcome: the
 * answer is 503 with {@code Retry-After}, never a success and never a bare 500.
 */
public final class StorageFailures {

    /** What a 503 for an unavailable database tells the client to wait before retrying. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private StorageFailures() {
    }

    public static boolean isStorageUnavailable(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
            if (isUnavailable(cause)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUnavailable(Throwable cause) {
        return cause instanceof DataAccessResourceFailureException
               || cause instanceof TransientDataAccessResourceException
               || cause instanceof RecoverableDataAccessException
               || cause instanceof CannotCreateTransactionException
               || cause instanceof TransactionSystemException
               || cause instanceof TransactionTimedOutException
               || cause instanceof UnexpectedRollbackException
               || cause instanceof SQLTransientConnectionException
               || cause instanceof SQLNonTransientConnectionException
               || cause instanceof SQLRecoverableException
               || cause instanceof SQLException sql && (unavailableState(sql.getSQLState()) || closedByPool(sql));
    }

    /**
     * HikariCP swaps a connection it found broken for a closed stand-in, whose every call throws
     * a bare {@code SQLException("Connection is closed")} without SQLState: the next statement of a
     * request whose earlier one lost the connection (Axon reading an aggregate after PostgreSQL
     * went away) fails this way.
     */
    private static boolean closedByPool(SQLException sql) {
        return sql.getSQLState() == null && "Connection is closed".equals(sql.getMessage());
    }

    /**
     * SQLState classes 08 (connection exception: refused, reset, I/O error), 53 (insufficient
     * resources, such as too many connections), 57P (the server is shutting down or starting up,
     * or an administrator terminated the backend) and 58 (system error).
     */
    private static boolean unavailableState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                                 || state.startsWith("58"));
    }
}
