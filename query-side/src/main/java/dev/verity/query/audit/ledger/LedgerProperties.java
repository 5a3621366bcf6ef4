package dev.verity.query.audit.ledger;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.ledger.*}: how often the chainer looks for new events, and how many events one
 * chaining transaction takes. There is no waiting period for holes in {@code global_index}: the
 * chain order is final when read (see {@link LedgerChainer}).
 */
@ConfigurationProperties("verity.ledger")
record LedgerProperties(Duration interval, Integer batchSize) {

    LedgerProperties {
        interval = interval == null ? Duration.ofSeconds(1) : interval;
        batchSize = batchSize == null ? 500 : batchSize;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalStateException("verity.ledger.interval must be positive");
        }
        if (batchSize < 1) {
            throw new IllegalStateException("verity.ledger.batch-size must be at least 1");
        }
    }
}
