package dev.verity.query.platform.web;

import org.springframework.http.HttpStatus;

/**
 * A request that cannot be answered, with a stable, machine-readable {@code code} clients can
 * branch on; the status says which class of problem it is (404 unknown, 409 conflicting state,
 * 504 not caught up yet).
 */
public class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final String code;

    ProblemException(HttpStatus status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    HttpStatus status() {
        return status;
    }

    String code() {
        return code;
    }

    /** Unknown, or another tenant's: the two must look the same to the caller. */
    public static ProblemException notFound(String what) {
        return new ProblemException(HttpStatus.NOT_FOUND, "not_found", "No such " + what);
    }

    /** The token lacks a scope this particular request needs (decided past the URL-based rules). */
    public static ProblemException forbidden(String message) {
        return new ProblemException(HttpStatus.FORBIDDEN, "forbidden", message);
    }

    /** 429: the caller (its tenant) holds as many of something as it may; {@code Retry-After} goes with it. */
    public static ProblemException tooMany(String code, String message) {
        return new ProblemException(HttpStatus.TOO_MANY_REQUESTS, code, message);
    }

    /** 503: this node holds as many of something as it can; {@code Retry-After} goes with it. */
    public static ProblemException unavailable(String code, String message) {
        return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, code, message);
    }

    /** The request is valid but the record's current state does not allow it; {@code code} says why. */
    public static ProblemException conflict(String code, String message) {
        return new ProblemException(HttpStatus.CONFLICT, code, message);
    }

    /** 503 rather than 429: the limit is the server's capacity for waiting reads, not this caller's rate. */
    static ProblemException tooManyWaiters(int maxWaiters) {
        return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "too_many_waiters",
                                    "More than " + maxWaiters + " reads are already waiting for the read model"
                                    + " to catch up; retry shortly, or read without minVersion");
    }

    static ProblemException staleReadModel(long minVersion) {
        return new ProblemException(HttpStatus.GATEWAY_TIMEOUT, "stale_read_model",
                                    "The read model has not reached version " + minVersion + " yet; retry shortly");
    }
}
