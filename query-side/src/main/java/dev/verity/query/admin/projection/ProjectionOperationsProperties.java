package dev.verity.query.admin.projection;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.projections.*}: how rebuilds and verifications replay the event store and how
 * long they may wait on the live processors and on readers of the tables they swap.
 *
 * @param replayBatchSize      events applied per transaction while filling shadow tables
 * @param pauseTimeout         longest wait for a live processor to stop before a swap or snapshot
 * @param swapLockTimeout      longest wait for readers to let go of the live tables during a swap
 * @param verifyCatchUpTimeout longest wait for live processors to reach the head before verifying
 * @param pollInterval         pause between looks at the event store while waiting for it
 * @param verifyAttempts       comparisons a tenant's verification makes before it reports a difference
 * @param verifyRetryDelay     pause before a tenant's verification compares again
 */
@ConfigurationProperties("verity.projections")
record ProjectionOperationsProperties(Integer replayBatchSize, Duration pauseTimeout, Duration swapLockTimeout,
                                      Duration verifyCatchUpTimeout, Duration pollInterval,
                                      Integer verifyAttempts, Duration verifyRetryDelay) {

    ProjectionOperationsProperties {
        replayBatchSize = replayBatchSize == null ? 500 : replayBatchSize;
        pauseTimeout = pauseTimeout == null ? Duration.ofSeconds(30) : pauseTimeout;
        swapLockTimeout = swapLockTimeout == null ? Duration.ofSeconds(10) : swapLockTimeout;
        verifyCatchUpTimeout = verifyCatchUpTimeout == null ? Duration.ofSeconds(10) : verifyCatchUpTimeout;
        pollInterval = pollInterval == null ? Duration.ofMillis(50) : pollInterval;
        verifyAttempts = verifyAttempts == null ? 3 : Math.max(1, verifyAttempts);
        verifyRetryDelay = verifyRetryDelay == null ? Duration.ofMillis(500) : verifyRetryDelay;
    }
}
