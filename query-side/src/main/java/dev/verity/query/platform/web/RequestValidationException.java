package dev.verity.query.platform.web;

import java.util.List;
import java.util.Map;

/** A query parameter that binding accepted but whose value means nothing (an unknown status, a forged cursor). */
public class RequestValidationException extends RuntimeException {

    private final List<Map<String, String>> errors;

    public RequestValidationException(String field, String message) {
        this(List.of(Map.of("field", field, "message", message)));
    }

    RequestValidationException(List<Map<String, String>> errors) {
        super("The request has invalid fields");
        this.errors = List.copyOf(errors);
    }

    List<Map<String, String>> errors() {
        return errors;
    }
}
