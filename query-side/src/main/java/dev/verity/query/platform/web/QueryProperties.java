package dev.verity.query.platform.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.query.*}: how long a read with {@code ?minVersion=N} may wait for the
 * projections to catch up, how often it looks again meanwhile, and how many reads may wait at
 * once before more are refused with 503.
 */
@ConfigurationProperties("verity.query")
record QueryProperties(Duration minVersionTimeout, Duration minVersionPollInterval, Integer minVersionMaxWaiters) {

    QueryProperties {
        minVersionTimeout = minVersionTimeout == null ? Duration.ofSeconds(5) : minVersionTimeout;
        minVersionPollInterval = minVersionPollInterval == null ? Duration.ofMillis(25) : minVersionPollInterval;
        minVersionMaxWaiters = minVersionMaxWaiters == null ? 1000 : minVersionMaxWaiters;
    }
}
