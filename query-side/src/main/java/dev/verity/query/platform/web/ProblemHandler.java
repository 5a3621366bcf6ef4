package dev.verity.query.platform.web;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place errors become RFC 9457 problem responses. Every problem has a stable
 * {@code code} and a {@code type} of {@code urn:verity:problem:<code>}; validation problems
 * also list {@code errors: [{field, message}]}.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final String VALIDATION_FAILED = "validation_failed";

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Object> problemException(ProblemException e) {
        return problem(e.status(), e.code(), e.getMessage());
    }

    @ExceptionHandler(RequestValidationException.class)
    ResponseEntity<Object> validation(RequestValidationException e) {
        return validationProblem(e.errors());
    }

    /** A path or query value of the wrong type, such as a task id that is not a UUID. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        String type = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
        return validationProblem(List.of(Map.of("field", e.getName(), "message", "is not a valid " + type)));
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
            String code = status.value() == 400 ? "malformed_request" : codeFor(status);
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

    private static String codeFor(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "error" : known.name().toLowerCase(Locale.ROOT);
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
