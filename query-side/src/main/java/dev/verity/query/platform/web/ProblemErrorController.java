package dev.verity.query.platform.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * The error path, in place of Spring Boot's, for what goes wrong outside a controller (a filter,
 * {@code sendError}): a problem with the status Tomcat recorded. Called directly, with no error to
 * report, it is a path like any unknown one: 404, not the 500 Boot's answers with.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(status instanceof Integer code) || code < 400) {
            return problem(HttpStatus.NOT_FOUND.value(), "No such resource");
        }
        return problem(code, Problems.genericDetail(code));
    }

    private static ResponseEntity<Map<String, Object>> problem(int status, String detail) {
        String code = Problems.codeFor(HttpStatusCode.valueOf(status));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                             .body(Problems.body(status, code, detail));
    }
}
