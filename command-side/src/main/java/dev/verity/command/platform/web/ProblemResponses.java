package dev.verity.command.platform.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.store.StorageFailures;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 9457 problems written by servlet filters, which answer before Spring MVC (and so before
 * {@link ProblemHandler}) runs: the same shape and {@code code} convention, serialised by Jackson
 * so any detail makes valid JSON.
 */
public final class ProblemResponses {

    public static final String STORAGE_UNAVAILABLE = "storage_unavailable";
    public static final String STORAGE_UNAVAILABLE_DETAIL = "The database is unavailable, so whether the command took"
            + " effect is unknown; retry with the same Idempotency-Key after Retry-After seconds";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemResponses() {
    }

    public static void write(HttpServletResponse response, HttpStatus status, String code, String detail)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json(status, code, detail));
    }

    /** 503 for a request whose database went away: its outcome is unknown, so the client retries. */
    public static void writeStorageUnavailable(HttpServletResponse response) throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(StorageFailures.RETRY_AFTER_SECONDS));
        write(response, HttpStatus.SERVICE_UNAVAILABLE, STORAGE_UNAVAILABLE, STORAGE_UNAVAILABLE_DETAIL);
    }

    /** The problem body alone, for writers that are not a servlet response (Tomcat's error valve). */
    public static byte[] json(HttpStatus status, String code, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:verity:problem:" + code);
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("code", code);
        try {
            return JSON.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A map of strings and numbers always serialises", e);
        }
    }
}
