package dev.verity.command.platform;

import org.springframework.http.HttpStatus;

import java.util.List;
import java.util.Map;

/**
 * A rejected command with a stable, machine-readable {@code code} clients can branch on; the
 * status says which class of problem it is (400 bad input, 404 unknown, 409 conflict, 412 moved on).
 */
public class DomainException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final List<Map<String, String>> errors;

    public DomainException(HttpStatus status, String code, String message) {
        this(status, code, message, List.of());
    }

    private DomainException(HttpStatus status, String code, String message, List<Map<String, String>> errors) {
        super(message);
        this.status = status;
        this.code = code;
        this.errors = errors;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The fields at fault, {@code [{field, message}]}, when the problem is one of input. */
    public List<Map<String, String>> errors() {
        return errors;
    }

    public static DomainException badRequest(String code, String message) {
        return new DomainException(HttpStatus.BAD_REQUEST, code, message);
    }

    /** Bad input in one named field; the detail reads "{field} {problem}". */
    public static DomainException badField(String code, String field, String problem) {
        return new DomainException(HttpStatus.BAD_REQUEST, code, field + " " + problem,
                                   List.of(Map.of("field", field, "message", problem)));
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
