package dev.verity.query.platform.nodes;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.nodes.*}: how query-side nodes on one database find each other and share the
 * projections' segments (docs/projections.md, "Several query nodes").
 *
 * @param heartbeatInterval how often a node renews its row in {@code event_store.query_node} and
 *                          rereads the others', the nodes' pauses and the segment counts
 * @param nodeTimeout       a node whose heartbeat is older is taken for dead and gets no share
 * @param claimExtension    how often a node extends the claims of its idle segments; keep it well
 *                          under {@code verity.event-store.token-claim-timeout}, after which
 *                          another node may take a segment over
 */
@ConfigurationProperties("verity.nodes")
public record NodeProperties(Duration heartbeatInterval, Duration nodeTimeout, Duration claimExtension) {

    public NodeProperties {
        heartbeatInterval = heartbeatInterval == null ? Duration.ofMillis(500) : heartbeatInterval;
        nodeTimeout = nodeTimeout == null ? Duration.ofSeconds(2) : nodeTimeout;
        claimExtension = claimExtension == null ? Duration.ofMillis(500) : claimExtension;
    }
}
