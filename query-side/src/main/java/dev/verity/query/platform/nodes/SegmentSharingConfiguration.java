package dev.verity.query.platform.nodes;

import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
                (configuration, builder) -> builder.maxSegmentProvider(nodes::maxSegments)
                                                   .claimExtensionThreshold(properties.claimExtension().toMillis()));
    }
}
