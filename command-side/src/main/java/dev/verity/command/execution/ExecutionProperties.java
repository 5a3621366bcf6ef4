package dev.verity.command.execution;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.executions.*}: how long a checkpoint lives when its request names no {@code ttl}
 * (the seed's "auto-cleanup after expiry", 24 hours by default) and the longest {@code ttl} a
 * client may ask for.
 */
@ConfigurationProperties("verity.executions")
record ExecutionProperties(Duration checkpointTtl, Duration checkpointMaxTtl) {

    ExecutionProperties {
        checkpointTtl = checkpointTtl == null ? Duration.ofHours(24) : checkpointTtl;
        checkpointMaxTtl = checkpointMaxTtl == null ? Duration.ofDays(30) : checkpointMaxTtl;
    }
}
