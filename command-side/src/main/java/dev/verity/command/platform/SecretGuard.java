package dev.verity.command.platform;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of the event store. Events are never rewritten, so a leaked secret
 * there could never be removed: anything that looks like one is refused before an event is
 * applied, by key name ending in password, secret, token, api_key... (so "githubToken" is
 * refused and "tokenizer" is not) or by value shape (JWTs, PEM keys, bearer headers, cloud keys).
 */
public final class SecretGuard {

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|authorization)");
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "(?s)(eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\..*"
                    + "|.*-----BEGIN [A-Z ]*PRIVATE KEY-----.*"
                    + "|(?i)bearer\\s+[A-Za-z0-9._~+/-]{16,}=*"
                    + "|AKIA[0-9A-Z]{16}"
                    + "|(sk|pk|rk)_(live|test)_[A-Za-z0-9]{16,}"
                    + "|gh[pousr]_[A-Za-z0-9]{30,})");

    private SecretGuard() {
    }

    /** Checks a free-form JSON object; the path names the offending field in the error. */
    public static void requireNoSecrets(String path, Map<String, ?> json) {
        if (json != null) {
            json.forEach((key, value) -> {
                String child = path + "." + key;
                if (SECRET_KEY.matcher(key).matches() && value != null) {
                    throw rejected(child);
                }
                check(child, value);
            });
        }
    }

    /** Checks one free-text field (a description, a result, a reason). */
    public static void requireNoSecrets(String path, String text) {
        if (text != null && SECRET_VALUE.matcher(text.trim()).matches()) {
            throw rejected(path);
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(String path, Object value) {
        if (value instanceof Map<?, ?> map) {
            requireNoSecrets(path, (Map<String, ?>) map);
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                check(path + "[" + i + "]", list.get(i));
            }
        } else if (value instanceof String text) {
            requireNoSecrets(path, text);
        }
    }

    private static DomainException rejected(String path) {
        return DomainException.badRequest("secret_rejected", path
                + " looks like a credential; secrets must not be sent to Verity because its history is permanent");
    }
}
