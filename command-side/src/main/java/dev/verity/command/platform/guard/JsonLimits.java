package dev.verity.command.platform.guard;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * How large a free-form JSON field of a command ({@code metadata}, {@code config}, {@code data})
 * may be: its serialized size, its keys counted at every depth, and how deeply it nests. Each
 * such field is stored whole in one event and in one jsonb column, for ever.
 */
@ConfigurationProperties("verity.limits.json")
public record JsonLimits(DataSize maxSize, Integer maxKeys, Integer maxDepth) {

    public JsonLimits {
        maxSize = maxSize == null ? DataSize.ofKilobytes(64) : maxSize;
        maxKeys = maxKeys == null ? 1_000 : maxKeys;
        maxDepth = maxDepth == null ? 32 : maxDepth;
    }

    public static JsonLimits defaults() {
        return new JsonLimits(null, null, null);
    }
}
