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

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        List<Map<String, String>> errors = new ArrayList<>();
        request.getParameterMap().forEach((name, values) -> {
            for (String value : values) {
                check(printable(name), value, errors);
            }
        });
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
            variables.forEach((name, value) -> check(String.valueOf(name), String.valueOf(value), errors));
        }
        if (!errors.isEmpty()) {
            throw new RequestValidationException(errors);
        }
        return true;
    }

    private static void check(String field, String value, List<Map<String, String>> errors) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            errors.add(Map.of("field", field, "message", "must not contain control characters (such as NUL)"));
        } else if (value.length() > MAX_LENGTH) {
            errors.add(Map.of("field", field, "message", "must be at most " + MAX_LENGTH + " characters"));
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
