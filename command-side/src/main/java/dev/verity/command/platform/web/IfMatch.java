package dev.verity.command.platform.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code If-Match: "<version>"} (the ETag both APIs return) into an expected version. */
public final class IfMatch {

    private static final Pattern VERSION_TAG = Pattern.compile("^(?:W/)?\"?(\\d{1,18})\"?$");

    private IfMatch() {
    }

    /** @return the expected version, or null when the header is absent */
    public static Long expectedVersion(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        Matcher matcher = VERSION_TAG.matcher(header.trim());
        if (!matcher.matches()) {
            throw new RequestValidationException("If-Match", "must be a version tag such as \"3\"");
        }
        return Long.parseLong(matcher.group(1));
    }
}
