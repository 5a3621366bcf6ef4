package dev.verity.query.stream;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/stream?topics=...}: Server-Sent Events of projection status and records'
 * new versions (README: "Live updates"). Everything that can be refused is refused before the
 * response starts, as a problem: bad topics 400, a missing scope 403, too many streams 429/503, an
 * unreachable database 503. Then the request goes asynchronous and {@link StreamClient} writes to
 * it with non-blocking output until the client leaves, falls behind, or its token expires.
 */
@RestController
class StreamController {

    static final String PATH = "/api/v1/stream";

    private final TopicParser parser;
    private final StreamHub hub;

    StreamController(TopicParser parser, StreamHub hub) {
        this.parser = parser;
        this.hub = hub;
    }

    @Operation(summary = "Live updates as Server-Sent Events",
               description = "topics: comma list of projections (scope admin or operator) and records:<type>/<id>"
                             + " (scope read; type task, execution, kit-execution, session or budget, plural"
                             + " accepted), at most verity.stream.max-topics (20). Events: projection (data as one"
                             + " item of GET /api/v1/admin/projections) and record ({type, id, version}). Every"
                             + " event's id resumes the stream when sent back as Last-Event-ID. The token may come"
                             + " as ?access_token= on this endpoint only, for EventSource.")
    @ApiResponse(responseCode = "200", description = "the event stream",
                 content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE))
    @ApiResponse(responseCode = "429", description = "too_many_streams: the tenant's streams on this node are at"
                                                     + " verity.stream.max-streams-per-tenant")
    @GetMapping(path = PATH, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void stream(@RequestParam(name = TopicParser.FIELD, required = false) String topics,
                @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                @AuthenticationPrincipal Jwt jwt, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Topics parsed = parser.parse(topics, jwt);
        if (HttpMethod.HEAD.matches(request.getMethod())) {
            // GET's answer without its body: a stream that is never opened, so nothing waits on it.
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
            response.setHeader("Cache-Control", "no-cache, no-store");
            return;
        }
        StreamClient client = hub.open(jwt, parsed, Resume.versions(lastEventId, parsed));
        try {
            hub.catchUp(client);
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setHeader("Cache-Control", "no-cache, no-store");
            // Proxies such as nginx buffer responses unless told not to.
            response.setHeader("X-Accel-Buffering", "no");
            // A stream that ends (dropped, expired) ends its connection too, so the client sees it and reconnects.
            response.setHeader("Connection", "close");
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            client.attach(async, async.getResponse().getOutputStream());
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
