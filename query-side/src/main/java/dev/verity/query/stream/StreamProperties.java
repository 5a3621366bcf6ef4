package dev.verity.query.stream;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.stream.*}: the limits of {@code GET /api/v1/stream}.
 *
 * @param maxTopics          topics one stream may name
 * @param maxStreams         open streams on this node
 * @param maxStreamsPerTenant open streams of one tenant on this node
 * @param clientBuffer       events waiting for one slow client before it is dropped
 * @param heartbeat          how often an idle stream gets a comment, so proxies keep it open
 * @param projectionInterval at most one {@code projection} event per projection and client this often
 * @param projectionSweep    how often statuses are compared even without a notice (processor errors
 *                           and stops, which no table records)
 * @param listenerRetryMax   longest pause between attempts to reconnect the LISTEN connection
 */
@ConfigurationProperties("verity.stream")
record StreamProperties(Integer maxTopics, Integer maxStreams, Integer maxStreamsPerTenant, Integer clientBuffer,
                        Duration heartbeat, Duration projectionInterval, Duration projectionSweep,
                        Duration listenerRetryMax) {

    StreamProperties {
        maxTopics = maxTopics == null ? 20 : maxTopics;
        maxStreams = maxStreams == null ? 1000 : maxStreams;
        maxStreamsPerTenant = maxStreamsPerTenant == null ? 20 : maxStreamsPerTenant;
        clientBuffer = clientBuffer == null ? 256 : clientBuffer;
        heartbeat = heartbeat == null ? Duration.ofSeconds(15) : heartbeat;
        projectionInterval = projectionInterval == null ? Duration.ofMillis(250) : projectionInterval;
        projectionSweep = projectionSweep == null ? Duration.ofSeconds(2) : projectionSweep;
        listenerRetryMax = listenerRetryMax == null ? Duration.ofSeconds(5) : listenerRetryMax;
    }
}
