package dev.verity.query;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Real HTTP against the running query API, answers parsed as JSON. */
public final class ApiClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final JsonMapper json;

    public record Response(int status, String contentType, String etag, JsonNode body, String location) {
    }

    ApiClient(int port, JsonMapper json) {
        this.baseUrl = "http://localhost:" + port;
        this.json = json;
    }

    public Response get(String path, String token) {
        return getAsync(path, token).join();
    }

    public CompletableFuture<Response> getAsync(String path, String token) {
        return send(request(path, token).GET().build());
    }

    public Response post(String path, String token) {
        return send(request(path, token).POST(HttpRequest.BodyPublishers.ofString("{}"))
                                        .header("Content-Type", "application/json").build()).join();
    }

    /** POSTs an empty JSON object, waiting up to {@code timeout} for the answer (20 s otherwise). */
    public Response postWaiting(String path, String token, Duration timeout) {
        return send(request(path, token).timeout(timeout).POST(HttpRequest.BodyPublishers.ofString("{}"))
                                        .header("Content-Type", "application/json").build()).join();
    }

    /** POSTs {@code body} as JSON, or nothing at all when it is null. */
    public Response post(String path, String token, String body) {
        HttpRequest.Builder request = request(path, token);
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        }
        return send(request.build()).join();
    }

    public Response delete(String path, String token) {
        return send(request(path, token).DELETE().build()).join();
    }

    /** Any method, with extra headers (name, value, name, value...) and an optional body of the given type. */
    public Response send(String method, String path, String token, String contentType, String body,
                         String... headers) {
        HttpRequest.Builder request = request(path, token);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build()).join();
    }

    private HttpRequest.Builder request(String path, String token) {
        // Generous: a tenant's verification that finds a difference compares three times, and on a
        // busy 2-core machine one comparison of every projection can take well over 10 s.
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /** An answer that is not JSON (Tomcat's HTML error page) becomes a text node, so tests can show it. */
    private JsonNode parse(HttpResponse<String> response) {
        if (response.body().isEmpty()) {
            return null;
        }
        try {
            return json.readTree(response.body());
        } catch (JacksonException e) {
            return json.getNodeFactory().textNode(response.body());
        }
    }

    private CompletableFuture<Response> send(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> new Response(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                response.headers().firstValue("ETag").orElse(null),
                parse(response),
                response.headers().firstValue("Location").orElse(null)));
    }
}
