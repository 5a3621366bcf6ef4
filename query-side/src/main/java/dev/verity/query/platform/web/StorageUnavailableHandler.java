package dev.verity.query.platform.web;

import dev.verity.store.StorageFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.net.URI;

/**
 * A read while the database cannot be reached (refused or reset connection, a pool that timed
 * out, a transaction that could not begin) is a 503 problem with {@code Retry-After}: the client
 * may simply read again, which a bare 500 would not tell it. Spring matches these types in an
 * exception's causes too, so a wrapped failure lands here as well. Ordered ahead of
 * {@link ProblemHandler}, which knows nothing of storage.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class StorageUnavailableHandler {

    static final String CODE = "storage_unavailable";
    private static final Logger log = LoggerFactory.getLogger(StorageUnavailableHandler.class);

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessResourceException.class,
                       RecoverableDataAccessException.class, CannotCreateTransactionException.class,
                       TransactionSystemException.class})
    ResponseEntity<Object> storageUnavailable(Exception e) {
        log.warn("Storage unavailable, answering 503: {}", e.toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The database is unavailable; read again after Retry-After seconds");
        problem.setType(URI.create("urn:verity:problem:" + CODE));
        problem.setProperty("code", CODE);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                             .header(HttpHeaders.RETRY_AFTER, String.valueOf(StorageFailures.RETRY_AFTER_SECONDS))
                             .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                             .body(problem);
    }
}
