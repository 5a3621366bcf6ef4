package dev.verity.command.platform.web;

import dev.verity.store.StorageFailures;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code /error}, where the servlet container forwards a {@code sendError} from anywhere: answers
 * the same problem shape as everything else instead of Spring Boot's own error body. Called
 * directly, it is just an unknown resource.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<Object> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
                ? HttpStatus.valueOf(value) : HttpStatus.NOT_FOUND;
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure
                && StorageFailures.isStorageUnavailable(failure)) {
            // Escaped a filter that talks to the database: the same 503 the controllers answer.
            ResponseEntity<Object> unavailable = ProblemHandler.storageUnavailable(failure);
            ((ProblemDetail) unavailable.getBody()).setInstance(originalUri(request));
            return unavailable;
        }
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        String detail;
        if (status.is5xxServerError()) {
            detail = "The request could not be processed";
        } else if (message instanceof String text && !text.isBlank()) {
            detail = text;
        } else if (status == HttpStatus.BAD_REQUEST) {
            // Spring Security's firewall: an encoded separator, "..", ";" or "//" in the path.
            detail = "The request was refused before it reached the API: its path or headers are not acceptable";
        } else {
            detail = status.getReasonPhrase();
        }
        ResponseEntity<Object> response = ProblemHandler.problem(
                status, status.is5xxServerError() ? "internal_error" : ProblemHandler.codeFor(status), detail);
        ((ProblemDetail) response.getBody()).setInstance(originalUri(request));
        return response;
    }

    /** The path the client asked for (already percent-encoded), rather than /error. */
    private static URI originalUri(HttpServletRequest request) {
        if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri) {
            try {
                return new URI(uri);
            } catch (URISyntaxException e) {
                return null;
            }
        }
        return null;
    }
}
