package dev.verity.command.platform.guard;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises credentials, so that none enters the event store: events are never rewritten, and a
 * secret stored there could never be removed. It searches inside values rather than matching them
 * whole ({@code "here is my token eyJ..."}), and it reads the text as a person would: compatibility
 * forms folded (NFKC, applied as NFKD so the marks it splits off can go), without zero-width
 * characters or combining marks, Cyrillic and Greek look-alikes read as Latin: a Cyrillic "a"
 * in {@code password} or full-width letters are no disguise.
 * <p>
 * Two rules. A key <em>name</em>, with separators and case ignored, that ends in a credential word
 * ({@code password}, {@code secret}, {@code token}, {@code apiKey}, {@code privateKey}...) or is
 * one ({@code pwd}, {@code cookie}, {@code session}...) may not carry a value; names that only start
 * with such a word ({@code tokenizer}, {@code token_count}) or page through results
 * ({@code nextPageToken}) are data. A <em>value</em> (or key) may not contain a credential's shape:
 * JWT, PEM private key, bearer or basic credentials, cloud and SaaS keys, passwords in URLs, and
 * {@code password: ...} or {@code key=...} assignments of random-looking strings.
 */
public final class SecretDetector {

    private static final String CONFUSABLES =
            "\u0430a\u0432b\u0435e\u0456i\u0458j\u043ak\u043cm\u043dh\u043eo\u0440p\u0441c\u0442t"
            + "\u0443y\u0445x\u0455s\u0501d\u051bq\u051dw\u04bbh\u04cfl\u0410A\u0412B\u0415E\u0406I"
            + "\u0408J\u041aK\u041cM\u041dH\u041eO\u0420P\u0421C\u0422T\u0423Y\u0425X\u0405S\u03b1a"
            + "\u03b2b\u03b5e\u03b9i\u03bak\u03bdv\u03bfo\u03c1p\u03c4t\u03c5u\u03c7x\u0391A\u0392B"
            + "\u0395E\u0396Z\u0397H\u0399I\u039aK\u039cM\u039dN\u039fO\u03a1P\u03a4T\u03a5Y\u03a7X";

    private static final List<String> SECRET_NAME_ENDINGS = List.of(
            "password", "passwd", "passphrase", "passcode", "pwd", "secret", "secrets", "token", "apikey", "accesskey",
            "accesskeyid", "secretkey", "privatekey", "signingkey", "encryptionkey", "masterkey", "authkey",
            "sessionkey", "sessionid", "credential", "credentials", "authorization", "cookie", "cookies",
            "connectionstring");
    private static final Set<String> SECRET_NAMES = Set.of("pw", "pass", "session", "jwt", "bearer", "auth", "otp");
    /** Pagination cursors are called tokens too; they grant nothing. */
    private static final List<String> CURSOR_NAME_ENDINGS = List.of("pagetoken", "continuationtoken", "nexttoken");
    private static final Set<String> SESSION_NAMES = Set.of("session", "sessionid");

    private static final List<Shape> SHAPES = List.of(
            new Shape("a JSON Web Token", "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*",
                      "eyj"),
            new Shape("a private key", "(?i)\\bBEGIN(?: [A-Z0-9]+){0,3} PRIVATE KEY\\b|PuTTY-User-Key-File-\\d",
                      "private key", "putty-user-key-file-"),
            new Shape("an AWS access key", "(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)"
                                           + "[A-Z0-9]{16}(?![A-Za-z0-9])",
                      "akia", "asia", "abia", "acca", "agpa", "aida", "aipa", "anpa", "anva", "aroa", "apka"),
            new Shape("a GitHub token", "(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})",
                      "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
            new Shape("a GitLab token", "(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}", "glpat-"),
            new Shape("a Stripe key", "(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}",
                      "sk_", "rk_", "whsec_"),
            new Shape("a Slack token", "(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}"
                                       + "|hooks\\.slack\\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+",
                      "xox", "hooks.slack.com"),
            new Shape("a Google API key", "(?<![A-Za-z0-9])(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[A-Za-z0-9_-]{20,}"
                                          + "|ya29\\.[0-9A-Za-z_-]{20,})",
                      "aiza", "gocspx-", "ya29."),
            new Shape("an npm or PyPI token", "(?<![A-Za-z0-9])(?:npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{50,})",
                      "npm_", "pypi-age"),
            new Shape("a SendGrid key", "(?<![A-Za-z0-9])SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}", "sg."),
            new Shape("a password hash", "\\$2[aby]?\\$\\d{2}\\$[./A-Za-z0-9]{53}", "$2"),
            new Shape("a password in a URL", "(?i)\\b[a-z][a-z0-9+.-]{1,20}://[^\\s/:@]+:[^\\s/@]+@", "://"));

    /** Credentials after a scheme word, as in an Authorization header; "Bearer" alone says enough. */
    private static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{16,}");
    private static final Pattern SCHEME_CREDENTIAL = Pattern.compile("(?i)\\b(?:basic|token)\\s+([A-Za-z0-9._~+/=-]{16,})");
    private static final Pattern OPENAI_KEY = Pattern.compile("(?<![A-Za-z0-9])sk-(?:proj-|ant-)?([A-Za-z0-9_-]{20,})");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(?<![a-z0-9_.-])([a-z][a-z0-9_.-]{0,40})[\"']?\\s{0,3}[:=]\\s{0,3}[\"']?([^\\s\"'`,;:=&<>(){}\\[\\]]+)");
    private static final Pattern UUID_TEXT =
            Pattern.compile("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern HEX = Pattern.compile("(?i)[0-9a-f]+");
    private static final Pattern PLACEHOLDER = Pattern.compile("(?i)[*x\u2022.#-]+|\\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_]+%");

    /** A credential's pattern, tried only when the lower-cased text holds one of its literal anchors. */
    private record Shape(String kind, Pattern pattern, List<String> anchors) {
        Shape(String kind, String regex, String... anchors) {
            this(kind, Pattern.compile(regex), List.of(anchors));
        }

        boolean foundIn(String readable, String lower) {
            return anchors.stream().anyMatch(lower::contains) && pattern.matcher(readable).find();
        }
    }

    /** What kind of credential the text contains, if any: the kind only, never the text. */
    public Optional<String> credentialIn(String text) {
        if (text == null || text.length() < 6) {
            return Optional.empty();
        }
        String readable = readable(text);
        String lower = readable.toLowerCase(Locale.ROOT);
        for (Shape shape : SHAPES) {
            if (shape.foundIn(readable, lower)) {
                return Optional.of(shape.kind());
            }
        }
        if (lower.contains("bearer") && BEARER.matcher(readable).find()
                || (lower.contains("basic") || lower.contains("token"))
                   && anyRandomGroup(SCHEME_CREDENTIAL.matcher(readable))) {
            return Optional.of("an authorization credential");
        }
        if (lower.contains("sk-") && anyRandomGroup(OPENAI_KEY.matcher(readable))) {
            return Optional.of("an API key");
        }
        if (lower.indexOf(':') < 0 && lower.indexOf('=') < 0) {
            return Optional.empty();
        }
        Matcher assignment = ASSIGNMENT.matcher(readable);
        int from = 0;
        while (assignment.find(from)) {
            if (assignedSecret(compact(assignment.group(1)), assignment.group(2))) {
                return Optional.of("a credential assignment");
            }
            from = assignment.start(2); // a value may hold assignments of its own: "url=https://h/?token=..."
        }
        return Optional.empty();
    }

    /** Whether a key of this name holding this value stores a credential. */
    public boolean isCredentialEntry(String key, Object value) {
        String name = compact(key);
        if (!isSecretName(name) || !holdsData(value)) {
            return false;
        }
        return !(value instanceof String text && isSessionReference(name, text));
    }

    /** A session named by its UUID refers to a record (an elicitation session), it does not open one. */
    private static boolean isSessionReference(String name, String value) {
        return SESSION_NAMES.contains(name) && UUID_TEXT.matcher(value).matches();
    }

    static boolean isSecretName(String compactName) {
        if (compactName.isEmpty() || CURSOR_NAME_ENDINGS.stream().anyMatch(compactName::endsWith)) {
            return false;
        }
        return SECRET_NAMES.contains(compactName) || SECRET_NAME_ENDINGS.stream().anyMatch(compactName::endsWith);
    }

    /**
     * A credential name assigned a value: {@code password: hunter2!} is one, {@code password: required},
     * {@code password=${DB_PASSWORD}} and masks like {@code ****} are not; a plain {@code key=} needs a
     * long random-looking value that is neither a UUID nor a hex digest.
     */
    private static boolean assignedSecret(String name, String value) {
        if (PLACEHOLDER.matcher(value).matches() || isSessionReference(name, value)) {
            return false;
        }
        if (isSecretName(name)) {
            boolean hasNonLetter = value.chars().anyMatch(c -> !Character.isLetter(c));
            return (value.length() >= 6 && hasNonLetter) || value.length() >= 20;
        }
        return name.endsWith("key") && looksRandom(value)
               && !UUID_TEXT.matcher(value).matches() && !HEX.matcher(value).matches();
    }

    private static boolean anyRandomGroup(Matcher matcher) {
        while (matcher.find()) {
            if (looksRandom(matcher.group(1))) {
                return true;
            }
        }
        return false;
    }

    /** At least 16 characters, digits mixed with letters: how generated keys look, and words do not. */
    private static boolean looksRandom(String value) {
        if (value.length() < 16) {
            return false;
        }
        boolean lower = value.chars().anyMatch(Character::isLowerCase);
        boolean upper = value.chars().anyMatch(Character::isUpperCase);
        boolean digit = value.chars().anyMatch(Character::isDigit);
        return digit && (lower || upper);
    }

    private static boolean holdsData(Object value) {
        if (value instanceof String text) {
            return !text.isBlank();
        }
        if (value instanceof Number) {
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().anyMatch(SecretDetector::holdsData);
        }
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                if (holdsData(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A key name as compared: readable, case folded, letters and digits only. */
    static String compact(String name) {
        String folded = readable(name).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(folded.length());
        folded.codePoints().filter(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** The text as a reader sees it: compatibility forms folded, invisible and combining marks gone. */
    static String readable(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (type == Character.FORMAT || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0) {
                return;
            }
            out.appendCodePoint(latin(c));
        });
        return out.toString();
    }

    private static int latin(int c) {
        if (c < 0x0370 || c > 0x052F) {
            return c;
        }
        for (int i = 0; i < CONFUSABLES.length(); i += 2) {
            if (CONFUSABLES.charAt(i) == c) {
                return CONFUSABLES.charAt(i + 1);
            }
        }
        return c;
    }
}
