package dev.verity.query.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The one place errors become RFC 9457 problem responses. Every problem has a stable
 * {@code code} and a {@code type} of {@code urn:verity:problem:<code>}; validation problems
 * also list {@code errors: [{field, message}]}.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final String VALIDATION_FAILED = "validation_failed";
    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

    private final CommandApiProperties commandApi;

    ProblemHandler(CommandApiProperties commandApi) {
        this.commandApi = commandApi;
    }

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Object> problemException(ProblemException e) {
        ResponseEntity<Object> response = problem(e.status(), e.code(), e.getMessage());
        if (e.status() == HttpStatus.SERVICE_UNAVAILABLE || e.status() == HttpStatus.TOO_MANY_REQUESTS) {
            return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                                 .header(HttpHeaders.RETRY_AFTER, "1").body(response.getBody());
        }
        return response;
    }

    @ExceptionHandler(RequestValidationException.class)
    ResponseEntity<Object> validation(RequestValidationException e) {
        return validationProblem(e.errors());
    }

    /** A path or query value of the wrong type, such as a task id that is not a UUID. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        String message;
        if (e.getRequiredType() == Instant.class) {
            message = StorableInstantFormatter.EXPECTED;
        } else {
            message = "is not a valid " + (e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName());
        }
        return validationProblem(List.of(Map.of("field", e.getName(), "message", message)));
    }

    /**
     * Anything else is a fault of ours: logged with its stack, answered as a problem that says
     * nothing of the cause (which may quote SQL or a value).
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        LOG.error("Unexpected failure answering {} {}", request.getMethod(), request.getRequestURI(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                       "The request failed on our side; it has been logged");
    }

    /** A write on a read path (an admin or audit path lacking that method) points at the command API too. */
    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException e,
                                                                         HttpHeaders headers, HttpStatusCode status,
                                                                         WebRequest request) {
        ResponseEntity<Object> response = super.handleHttpRequestMethodNotSupported(e, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            problem.setDetail(e.getMessage() + " " + commandApi.writesGoThere(e.getMethod()));
        }
        return response;
    }

    /**
     * A body that is not the JSON expected. A deserializer that checks a field as it reads it
     * (a search's vector) throws {@link RequestValidationException}, which Jackson wraps: that one
     * is answered like any invalid field, naming it.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestValidationException invalid) {
                return validationProblem(invalid.errors());
            }
        }
        return super.handleHttpMessageNotReadable(e, headers, status, request);
    }

    /** Constraint annotations on controller parameters, such as {@code @Max} on a page size. */
    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
                                                                            HttpHeaders headers, HttpStatusCode status,
                                                                            WebRequest request) {
        List<Map<String, String>> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> Map.of("field", fieldName(result.getMethodParameter()),
                                             "message", String.valueOf(error.getDefaultMessage()))))
                .toList();
        return validationProblem(errors);
    }

    /** Spring's own problems (405, 406, missing parameters...) get a code too. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getProperties() == null || !problem.getProperties().containsKey("code"))) {
            String code = Problems.codeFor(status);
            problem.setProperty("code", code);
            problem.setType(URI.create("urn:verity:problem:" + code));
        }
        return response;
    }

    private static String fieldName(MethodParameter parameter) {
        RequestParam requestParam = parameter.getParameterAnnotation(RequestParam.class);
        if (requestParam != null && !requestParam.name().isEmpty()) {
            return requestParam.name();
        }
        String name = parameter.getParameterName();
        return name == null ? "arg" + parameter.getParameterIndex() : name;
    }

    private static ResponseEntity<Object> validationProblem(List<Map<String, String>> errors) {
        ResponseEntity<Object> response = problem(HttpStatus.BAD_REQUEST, VALIDATION_FAILED,
                                                  "The request has invalid fields");
        ((ProblemDetail) response.getBody()).setProperty("errors", errors);
        return response;
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:verity:problem:" + code));
        problem.setProperty("code", code);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
