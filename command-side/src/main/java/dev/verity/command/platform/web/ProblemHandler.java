package dev.verity.command.platform.web;

import dev.verity.command.platform.DomainException;
import dev.verity.store.StorageFailures;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The one place errors become RFC 9457 problem responses. Every problem has a stable
 * {@code code}; validation problems also list {@code errors: [{field, message}]}.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(DomainException.class)
    ResponseEntity<Object> domain(DomainException e) {
        ResponseEntity<Object> response = problem(e.status(), e.code(), e.getMessage());
        if (!e.errors().isEmpty()) {
            ((ProblemDetail) response.getBody()).setProperty("errors", e.errors());
        }
        return response;
    }

    @ExceptionHandler(RequestValidationException.class)
    ResponseEntity<Object> validation(RequestValidationException e) {
        ResponseEntity<Object> response = problem(HttpStatus.BAD_REQUEST, "validation_failed", e.getMessage());
        ((ProblemDetail) response.getBody()).setProperty("errors", e.errors());
        return response;
    }

    /** Aggregates reject malformed input with IllegalArgumentException before deciding anything. */
    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Object> invalidInput(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid_input", e.getMessage());
    }

    @ExceptionHandler(AggregateNotFoundException.class)
    ResponseEntity<Object> notFound(AggregateNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not_found", "No such record");
    }

    /** Another writer appended to the same record first (possibly in another instance). */
    @ExceptionHandler(ConcurrencyException.class)
    ResponseEntity<Object> concurrency(ConcurrencyException e) {
        return problem(HttpStatus.CONFLICT, "concurrent_modification",
                       "The record was changed by another request at the same time; read it again and retry");
    }

    /** A create with a client-chosen id that is taken: sequence 0 of that stream already exists. */
    @ExceptionHandler(AggregateStreamCreationException.class)
    ResponseEntity<Object> alreadyExists(AggregateStreamCreationException e) {
        return problem(HttpStatus.CONFLICT, "already_exists", "A record with this id already exists");
    }

    /**
     * Any other failure to append is the store failing, not the command: rethrowing it would let
     * Spring read the driver's EOFException in its causes as a client that went away, and answer
     * an empty 200 for events that were never stored.
     */
    @ExceptionHandler(EventStoreException.class)
    ResponseEntity<Object> eventStore(EventStoreException e) {
        if (e.getCause() instanceof ConcurrencyException concurrency) {
            return concurrency(concurrency);
        }
        return storageUnavailable(e);
    }

    @ExceptionHandler(CommandExecutionException.class)
    ResponseEntity<Object> commandExecution(CommandExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof DomainException domain) {
            return domain(domain);
        }
        if (cause instanceof ConcurrencyException concurrency) {
            return concurrency(concurrency);
        }
        if (cause instanceof AggregateStreamCreationException creation) {
            return alreadyExists(creation);
        }
        if (cause instanceof EventStoreException store) {
            return eventStore(store);
        }
        return failure(e);
    }

    /**
     * Whatever else escapes a controller is answered here rather than rethrown: the database
     * being unavailable (however Axon or Spring wrapped it) is a 503 the client may retry, anything
     * else a 500 problem. Authentication and authorisation failures stay Spring Security's.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) throws Exception {
        if (e instanceof AccessDeniedException || e instanceof AuthenticationException) {
            throw e;
        }
        return failure(e);
    }

    private static ResponseEntity<Object> failure(Exception e) {
        if (StorageFailures.isStorageUnavailable(e)) {
            return storageUnavailable(e);
        }
        log.error("Command failed", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "The command could not be processed");
    }

    /** The outcome is unknown (the commit may or may not have happened): the client retries with its key. */
    static ResponseEntity<Object> storageUnavailable(Throwable e) {
        log.warn("Storage unavailable, answering 503: {}", e.toString());
        ResponseEntity<Object> response = problem(HttpStatus.SERVICE_UNAVAILABLE, ProblemResponses.STORAGE_UNAVAILABLE,
                                                  ProblemResponses.STORAGE_UNAVAILABLE_DETAIL);
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                             .header(HttpHeaders.RETRY_AFTER, String.valueOf(StorageFailures.RETRY_AFTER_SECONDS))
                             .body(response.getBody());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        ResponseEntity<Object> response = problem(HttpStatus.BAD_REQUEST, "validation_failed",
                                                  "Invalid value for " + e.getName());
        ((ProblemDetail) response.getBody()).setProperty("errors",
                List.of(Map.of("field", e.getName(), "message", "is not a valid " + typeName(e))));
        return response;
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of("field", error.getField(),
                                     "message", String.valueOf(error.getDefaultMessage())))
                .toList();
        ResponseEntity<Object> response = problem(HttpStatus.BAD_REQUEST, "validation_failed",
                                                  "The request has invalid fields");
        ((ProblemDetail) response.getBody()).setProperty("errors", errors);
        return response;
    }

    /**
     * A body Jackson could not read: a syntax error says where, a type error or an unknown field
     * names the field (a path such as {@code dependencies[0]}) and what it should have been.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        if (!(e.getCause() instanceof JacksonException jackson)) {
            return problem(HttpStatus.BAD_REQUEST, "malformed_request", "The request needs a JSON body");
        }
        // A number out of its type's range is reported by the parser, but databind gives it the field's path.
        if (jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException)) {
            TokenStreamLocation location = jackson.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            return problem(HttpStatus.BAD_REQUEST, "malformed_request",
                           "The body is not valid JSON" + where + ": " + JsonFields.firstClause(jackson));
        }
        if (jackson.getPath().isEmpty()) {
            return problem(HttpStatus.BAD_REQUEST, "malformed_request", "The body must be a JSON object");
        }
        ResponseEntity<Object> response = problem(HttpStatus.BAD_REQUEST, "malformed_request",
                                                  "The request has a field of the wrong type or an unknown field");
        ((ProblemDetail) response.getBody()).setProperty("errors",
                List.of(Map.of("field", JsonFields.path(jackson), "message", JsonFields.reason(jackson))));
        return response;
    }

    /** Spring's own problems (unreadable JSON, wrong media type, 405...) get a code too. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
                String code = status.value() == 400 ? "malformed_request" : codeFor(status);
                problem.setProperty("code", code);
                problem.setType(URI.create("urn:verity:problem:" + code));
            }
        }
        return response;
    }

    private static String typeName(MethodArgumentTypeMismatchException e) {
        return e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
    }

    static String codeFor(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "error" : known.name().toLowerCase(java.util.Locale.ROOT);
    }

    static ResponseEntity<Object> problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:verity:problem:" + code));
        problem.setProperty("code", code);
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                             .body(problem);
    }
}
