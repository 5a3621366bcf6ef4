package dev.verity.command.platform.web;

import jakarta.servlet.RequestDispatcher;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.res.StringManager;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tomcat answers some requests itself, before any filter or Spring MVC runs: a header over
 * {@code server.max-http-request-header-size}, a NUL or other illegal byte in a header or the
 * request target. Its stock valve writes an HTML page for those; this one writes the same
 * problem+json every other error has. An oversized header becomes 431 rather than a bare 400.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    private static final String HEADER_TOO_LARGE =
            StringManager.getManager("org.apache.coyote.http11").getString("iib.requestheadertoolarge.error");

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        if (response.getStatus() < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        Throwable cause = throwable != null ? throwable
                : (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        HttpStatus status = HttpStatus.resolve(response.getStatus());
        String code;
        String detail;
        if (cause != null && HEADER_TOO_LARGE.equals(cause.getMessage())) {
            status = HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            code = "header_too_large";
            detail = "The request headers are larger than the server accepts (server.max-http-request-header-size)";
        } else {
            status = status == null ? HttpStatus.BAD_REQUEST : status;
            code = ProblemHandler.codeFor(status);
            detail = status.is4xxClientError() ? "The request is not valid HTTP: " + reason(response, cause, status)
                                               : status.getReasonPhrase();
        }
        try {
            response.setStatus(status.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(new String(ProblemResponses.json(status, code, detail), StandardCharsets.UTF_8));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The connection is going away; there is nobody left to tell.
        }
    }

    private static String reason(Response response, Throwable cause, HttpStatus status) {
        if (response.getMessage() != null && !response.getMessage().isBlank()) {
            return response.getMessage();
        }
        return cause != null && cause.getMessage() != null ? cause.getMessage() : status.getReasonPhrase();
    }
}
