package dev.verity.query.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Refuses query and path values no read-model column can hold before any SQL sees them: a
 * control character (PostgreSQL text cannot hold NUL at all, so the statement itself would fail
 * with a 500) or more characters than the widest column a filter compares with. Every
 * controller's parameters are covered, present and future, without a check in each.
 */
class RequestParameterGuard implements HandlerInterceptor {

    /** The widest VARCHAR a filter or path value is compared with (actor ids, assignee ids, types). */
    static final int MAX_LENGTH = 255;

    /**
     * The live stream's parameters are no column values: its topic list (20 record topics run to
     * about 1,000 characters) and an EventSource's access token. Their content is checked by the
     * stream itself and by token validation; control characters are still refused here.
     */
    private static final Map<String, Integer> STREAM_LIMITS = Map.of("topics", 2_000, "access_token", 8_000);
    private static final String STREAM = "/api/v1/stream";

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        List<Map<String, String>> errors = new ArrayList<>();
        boolean stream = STREAM.equals(request.getRequestURI());
        request.getParameterMap().forEach((name, values) -> {
            int limit = stream ? STREAM_LIMITS.getOrDefault(name, MAX_LENGTH) : MAX_LENGTH;
            for (String value : values) {
                check(printable(name), value, limit, errors);
            }
        });
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
            variables.forEach((name, value) -> check(String.valueOf(name), String.valueOf(value), MAX_LENGTH, errors));
        }
        if (!errors.isEmpty()) {
            throw new RequestValidationException(errors);
        }
        return true;
    }

    private static void check(String field, String value, int limit, List<Map<String, String>> errors) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            errors.add(Map.of("field", field, "message", "must not contain control characters (such as NUL)"));
        } else if (value.length() > limit) {
            errors.add(Map.of("field", field, "message", "must be at most " + limit + " characters"));
        }
    }

    /** A parameter's name is echoed back as the field, so it must not carry the characters refused in values. */
    private static String printable(String name) {
        String shown = name.codePoints()
                           .mapToObj(c -> Character.isISOControl(c) ? "\\u%04x".formatted(c) : Character.toString(c))
                           .reduce("", String::concat);
        return shown.length() > MAX_LENGTH ? shown.substring(0, MAX_LENGTH) + "..." : shown;
    }
}
