package dev.verity.command.platform;

import org.springframework.http.HttpStatus;

/**
 * A rejected command with a stable, machine-readable {@code code} clients can branch on; the
 * status says which class of problem it is (400 bad input, 404 unknown, 409 conflict, 412 moved on).
 */
public class DomainException extends RuntimeException {

    private final HttpStatus status;
    private final String code;

    public DomainException(HttpStatus status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static DomainException badRequest(String code, String message) {
        return new DomainException(HttpStatus.BAD_REQUEST, code, message);
    }

    public static DomainException notFound(String code, String message) {
        return new DomainException(HttpStatus.NOT_FOUND, code, message);
    }

    public static DomainException conflict(String code, String message) {
        return new DomainException(HttpStatus.CONFLICT, code, message);
    }

    public static DomainException versionMismatch(long expected, long actual) {
        return new DomainException(HttpStatus.PRECONDITION_FAILED, "version_mismatch",
                                   "If-Match expected version " + expected + " but the record is at version " + actual);
    }
}
