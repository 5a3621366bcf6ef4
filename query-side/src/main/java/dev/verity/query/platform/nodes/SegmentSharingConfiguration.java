package dev.verity.query.platform.nodes;

import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.pooled.MaxSegmentProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every pooled processor of the query side claims only its node's share of segments
 * ({@link QueryNodes}) and extends its idle claims every {@code verity.nodes.claim-extension}, so
 * that a claim not extended within the token store's timeout means its node is gone. Segment
 * count and claim interval are per processor in {@code axon.eventhandling.processors.*}
 * ({@code initial-segment-count: ${verity.projections.segments}}): Spring's processor properties
 * are applied after this and would override them here.
 */
@Configuration(proxyBeanMethods = false)
class SegmentSharingConfiguration {

    @Bean
    ConfigurerModule segmentSharing(QueryNodes nodes, NodeProperties properties) {
        return configurer -> configurer.eventProcessing().registerPooledStreamingEventProcessorConfiguration(
                (configuration, builder) -> builder.maxSegmentProvider(shareOf(nodes))
                                                   .claimExtensionThreshold(properties.claimExtension().toMillis()));
    }

    /**
     * This node's share, asked by the coordinator on every claim round. Axon also asks once while
     * building the processor and refuses to build it on 0, which is a real share: more nodes than
     * segments (3 nodes on 2, until they are split) or a processor paused by another node. That
     * first answer is never used to claim, so it is at least 1.
     */
    private static MaxSegmentProvider shareOf(QueryNodes nodes) {
        AtomicBoolean built = new AtomicBoolean();
        return processor -> built.getAndSet(true) ? nodes.maxSegments(processor)
                                                  : Math.max(1, nodes.maxSegments(processor));
    }
}
