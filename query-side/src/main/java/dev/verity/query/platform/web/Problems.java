package dev.verity.query.platform.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The problem shape for places that write a response outside Spring MVC's advice (Tomcat's error
 * report, a servlet filter, the error path), so every error looks the same wherever it is caught.
 */
final class Problems {

    /** What a 400 that Spring or Tomcat raises on an unreadable request is called. */
    static final String MALFORMED_REQUEST = "malformed_request";

    private Problems() {
    }

    /** A 400 is {@code malformed_request}; any other status is its reason phrase in snake case. */
    static String codeFor(HttpStatusCode status) {
        if (status.value() == 400) {
            return MALFORMED_REQUEST;
        }
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "error" : known.name().toLowerCase(Locale.ROOT);
    }

    /** For an error known only by its status: what it means, never what caused it. */
    static String genericDetail(int status) {
        if (status == 400) {
            return "The request could not be read: its request line, headers or body are malformed or too large";
        }
        if (status >= 500) {
            return "The request failed on our side; it has been logged";
        }
        HttpStatus known = HttpStatus.resolve(status);
        return "The request was refused" + (known == null ? "" : " (" + known.getReasonPhrase() + ")");
    }

    static Map<String, Object> body(int status, String code, String detail) {
        HttpStatus known = HttpStatus.resolve(status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:verity:problem:" + code);
        body.put("title", known == null ? "Error" : known.getReasonPhrase());
        body.put("status", status);
        body.put("detail", detail);
        body.put("code", code);
        return body;
    }
}
