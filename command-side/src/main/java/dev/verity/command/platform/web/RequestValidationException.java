package dev.verity.command.platform.web;

import java.util.List;
import java.util.Map;

/** Field-level input problems found after binding (enum spellings, secrets, If-Match syntax). */
public class RequestValidationException extends RuntimeException {

    private final List<Map<String, String>> errors;

    public RequestValidationException(String field, String message) {
        super("The request has invalid fields");
        this.errors = List.of(Map.of("field", field, "message", message));
    }

    public List<Map<String, String>> errors() {
        return errors;
    }
}
