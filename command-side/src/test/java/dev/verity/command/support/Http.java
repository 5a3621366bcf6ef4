package dev.verity.command.support;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** A small JSON-over-HTTP client for tests that go through the real server and its filters. */
public final class Http {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final String baseUrl;

    public Http(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public record Response(int status, Map<String, Object> body, java.net.http.HttpHeaders headers) {

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public Object get(String field) {
            return body.get(field);
        }
    }

    public Response post(String path, String token, Object body, String... headerPairs) {
        try {
            HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body instanceof String text ? text : JSON.writeValueAsString(body));
            return send("POST", path, token, "application/json", publisher, headerPairs);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Any method, media type and body; a body that is not JSON fails the test, naming what came instead. */
    public Response send(String method, String path, String token, String contentType, HttpRequest.BodyPublisher body,
                         String... headerPairs) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).method(method, body);
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            for (int i = 0; i < headerPairs.length; i += 2) {
                request.header(headerPairs[i], headerPairs[i + 1]);
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), parse(response), response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> parse(HttpResponse<String> response) {
        if (response.body().isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(response.body(), new TypeReference<>() { });
        } catch (IOException e) {
            throw new AssertionError("HTTP " + response.statusCode() + " answered "
                                     + response.headers().firstValue("Content-Type").orElse("no content type")
                                     + ", not JSON: " + response.body(), e);
        }
    }
}
