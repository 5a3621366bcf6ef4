package dev.verity.query.e2e;

import tools.jackson.databind.util.RawValue;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Seeded generator of the values a hostile or merely unusual client sends: text across the
 * Unicode edge cases (astral characters, combining marks, bidi and zero-width controls, NUL,
 * noncharacters) at and just past the API's limits, instants at and beyond the years 0001–9999,
 * and free-form JSON that is deep, wide, big or holds numbers JSON parsers turn into infinities.
 * <p>
 * A plain seeded generator rather than a property-testing library: the run prints its seed, and
 * {@code -Dverity.generated.seed=N} replays exactly the same requests.
 */
final class HostileValues {

    /** Pieces text is assembled from, each an edge case of its own. */
    private static final String[] PIECES = {
        "a", "Z", "0", " ", "review the spec", "é", "ß", "İ", "ﬁ", "Ω", "д", "中文", "日本語", "한국어",
        "😀", "👩‍💻", "🏳️‍🌈", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\uD834\uDD1E", "e\u0301", "\u0308", "\u200B", "\u200D", "\u2060",
        "\uFEFF", "\u202E", "\u2066", "\u00A0", "\u3000", "\t", "\n", "\r\n", "\u0001", "\u001F", "\u007F",
        "\u0085", "\u2028", "\uFFFD", "\uFFFF", "\uFFFE", "\"", "\\", "'", "%", "_", "{schema}", "${x}",
        "'; DROP TABLE read_model.tasks; --", "<script>alert(1)</script>", "../../etc/passwd", "null",
    };

    private final SplittableRandom random;

    HostileValues(long seed) {
        this.random = new SplittableRandom(seed);
    }

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    int between(int lowInclusive, int highInclusive) {
        return random.nextInt(lowInclusive, highInclusive + 1);
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One of the valid values, or now and then the invalid one, so most requests get past enum checks. */
    <T> T mostly(List<T> valid, T invalid) {
        return chance(0.05) ? invalid : pick(valid);
    }

    /**
     * Text of a field whose limit is {@code maxLength} UTF-16 units: mostly short, often exactly
     * at the limit, sometimes one past it, sometimes blank, now and then holding a NUL.
     */
    String text(int maxLength) {
        int roll = random.nextInt(40);
        if (roll == 0) {
            return "";
        }
        if (roll == 1) {
            return " \t ";
        }
        int length = switch (roll) {
            case 2, 3 -> maxLength;
            case 4 -> maxLength + 1;
            case 5 -> Math.max(1, maxLength - 1);
            default -> between(1, Math.min(maxLength, 40));
        };
        String text = assemble(length);
        if (roll == 6) {
            int at = random.nextInt(text.length());
            return text.substring(0, at) + '\0' + text.substring(at + 1);
        }
        return text;
    }

    /** Text of exactly {@code length} UTF-16 units (a surrogate pair is never split). */
    private String assemble(int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            String piece = PIECES[random.nextInt(PIECES.length)];
            if (text.length() + piece.length() > length) {
                piece = "x".repeat(length - text.length());
            }
            text.append(piece);
        }
        return text.toString();
    }

    /** A JSON-ready instant string: ordinary, at the edges of 0001–9999, or past them, or not an instant. */
    Object instant() {
        return switch (random.nextInt(30)) {
            case 0 -> "0001-01-01T00:00:00Z";
            case 1 -> "9999-12-31T23:59:59.999999Z";
            case 2 -> "+10000-01-01T00:00:00Z";
            case 3 -> "+1000000000-12-31T23:59:59Z";
            case 4 -> "-0001-01-01T00:00:00Z";
            case 5 -> "0000-01-01T00:00:00Z";
            case 6 -> "tomorrow";
            case 7 -> 1_700_000_000;
            default -> LocalDateTime.of(between(1970, 2100), between(1, 12), between(1, 28), between(0, 23),
                                        between(0, 59), between(0, 59)).toInstant(ZoneOffset.UTC).toString();
        };
    }

    /**
     * A free-form JSON object: small and ordinary most of the time, otherwise deep, wide, big, or
     * holding odd keys and numbers, around the limits the command API documents.
     */
    Map<String, Object> json(int maxKeys, int maxBytes, int maxDepth) {
        return switch (random.nextInt(16)) {
            case 0 -> wide(chance(0.5) ? maxKeys : maxKeys + 1);
            case 1 -> deep(chance(0.5) ? maxDepth : maxDepth + 1);
            case 2 -> Map.of("blob", "b".repeat(chance(0.5) ? maxBytes - 64 : maxBytes + 1));
            case 3 -> oddNumbers();
            default -> ordinary(between(0, 6), 3);
        };
    }

    private Map<String, Object> ordinary(int keys, int depth) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keys; i++) {
            object.put(chance(0.15) ? text(20) : "k" + i, value(depth));
        }
        return object;
    }

    private Object value(int depth) {
        return switch (random.nextInt(depth > 0 ? 8 : 6)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextLong();
            case 3 -> random.nextDouble() * Math.pow(10, between(-300, 300));
            case 4, 5 -> text(60);
            case 6 -> ordinary(between(0, 3), depth - 1);
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = between(0, 4); i > 0; i--) {
                    list.add(value(depth - 1));
                }
                yield list;
            }
        };
    }

    private static Map<String, Object> wide(int keys) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keys; i++) {
            object.put("key" + i, i);
        }
        return object;
    }

    private static Map<String, Object> deep(int depth) {
        Map<String, Object> object = new LinkedHashMap<>(Map.of("leaf", true));
        for (int i = 1; i < depth; i++) {
            object = new LinkedHashMap<>(Map.of("n", object));
        }
        return object;
    }

    /** Numbers whose JSON text parses to Infinity, to -0.0, or past a long (raw, as no Java value prints 1e400). */
    private Map<String, Object> oddNumbers() {
        Object number = switch (random.nextInt(5)) {
            case 0 -> new RawValue("1e400");
            case 1 -> new RawValue("-1e400");
            case 2 -> new RawValue("123456789012345678901234567890");
            case 3 -> -0.0;
            default -> Double.MAX_VALUE;
        };
        return Map.of("n", number);
    }

    UUID uuid() {
        return new UUID(random.nextLong(), random.nextLong());
    }
}
