package dev.verity.store;

import org.axonframework.common.jdbc.JdbcException;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

import java.io.EOFException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class StorageFailuresTest {

    @Test
    void appendCutOffMidBatch_isStorageUnavailable_underAxonsWrapping() {
        SQLException io = new SQLException("An I/O error occurred while sending to the backend", "08006",
                                           new EOFException());
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 INSERT ...", "08006", 0, new int[0], io);

        assertThat(StorageFailures.isStorageUnavailable(new EventStoreException("append failed", batch))).isTrue();
    }

    @Test
    void terminatedBackend_isStorageUnavailable() {
        SQLException terminated = new SQLException("FATAL: terminating connection due to administrator command", "57P01");

        assertThat(StorageFailures.isStorageUnavailable(new IllegalStateException(terminated))).isTrue();
    }

    @Test
    void poolTimeoutAndFailedBegin_areStorageUnavailable() {
        SQLTransientConnectionException timeout = new SQLTransientConnectionException("request timed out after 30000ms");

        assertThat(StorageFailures.isStorageUnavailable(
                new CannotCreateTransactionException("Could not open JDBC Connection", timeout))).isTrue();
        assertThat(StorageFailures.isStorageUnavailable(
                new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", timeout))).isTrue();
    }

    /** Seen in the fault suite: Axon loading an aggregate on a connection Hikari had already evicted. */
    @Test
    void statementOnAConnectionThePoolClosed_isStorageUnavailable() {
        SQLException closed = new SQLException("Connection is closed");

        assertThat(StorageFailures.isStorageUnavailable(
                new JdbcException("Failed to create a SQL statement", closed))).isTrue();
        assertThat(StorageFailures.isStorageUnavailable(new SQLException("Connection is closed", "42000"))).isFalse();
    }

    @Test
    void constraintViolationsAndBugs_areNotStorageUnavailable() {
        SQLException unique = new SQLException("duplicate key value", "23505");

        assertThat(StorageFailures.isStorageUnavailable(new DuplicateKeyException("duplicate", unique))).isFalse();
        assertThat(StorageFailures.isStorageUnavailable(new DataIntegrityViolationException("check"))).isFalse();
        assertThat(StorageFailures.isStorageUnavailable(new EventStoreException("append failed", unique))).isFalse();
        assertThat(StorageFailures.isStorageUnavailable(new NullPointerException())).isFalse();
    }
}
