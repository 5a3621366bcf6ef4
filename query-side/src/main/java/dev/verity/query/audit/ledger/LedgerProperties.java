package dev.verity.query.audit.ledger;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.ledger.*}: how often the chainer looks for new events, how long a hole in
 * {@code global_index} may stay open before the chain passes it for good (keep it at least the
 * event store's {@code gap-timeout}, so the ledger never gives up on an event the projections
 * still wait for), and how many events one chaining transaction takes.
 */
@ConfigurationProperties("verity.ledger")
record LedgerProperties(Duration interval, Duration gapGrace, Integer batchSize) {

    LedgerProperties {
        interval = interval == null ? Duration.ofSeconds(1) : interval;
        gapGrace = gapGrace == null ? Duration.ofMinutes(10) : gapGrace;
        batchSize = batchSize == null ? 500 : batchSize;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalStateException("verity.ledger.interval must be positive");
        }
        if (gapGrace.isNegative()) {
            throw new IllegalStateException("verity.ledger.gap-grace must not be negative");
        }
        if (batchSize < 1) {
            throw new IllegalStateException("verity.ledger.batch-size must be at least 1");
        }
    }
}
