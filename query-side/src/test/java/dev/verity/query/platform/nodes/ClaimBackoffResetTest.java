package dev.verity.query.platform.nodes;

import dev.verity.query.QuerySideTest;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A segment whose claim was taken away, again and again, is claimed back as soon as it is free.
 * Axon alone blocks it for 1, 2, 4 ... up to 60 s after each loss while no batch commits on it:
 * the sixth loss in a row would leave it unclaimed for 32 s.
 */
class ClaimBackoffResetTest extends QuerySideTest {

    private static final String PROCESSOR = "probe";
    private static final int LOSSES = 6;

    @Autowired
    private EventProcessingConfiguration processing;

    @Test
    void aSegmentLostAgainAndAgain_isClaimedBackWithinSeconds_eachTime() {
        StreamingEventProcessor probe = processing.eventProcessor(PROCESSOR, StreamingEventProcessor.class).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> probe.processingStatus().containsKey(0));

        for (int loss = 1; loss <= LOSSES; loss++) {
            // Another node takes the claim; this node's next claim extension fails and its work package stops.
            owner.update("UPDATE event_store.token_entry SET owner = 'thief@test', timestamp = ?"
                         + " WHERE processor_name = ? AND segment = 0",
                         DateTimeUtils.formatInstant(Instant.now().plusSeconds(60)),
                         PROCESSOR);
            await().atMost(Duration.ofSeconds(10)).until(() -> !probe.processingStatus().containsKey(0));
            owner.update("UPDATE event_store.token_entry SET owner = NULL WHERE processor_name = ? AND segment = 0",
                         PROCESSOR);

            long freed = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> probe.processingStatus().containsKey(0));
            Duration reclaimed = Duration.ofNanos(System.nanoTime() - freed);
            System.out.printf("claim-backoff: loss %d, claimed back %d ms after the segment was free%n",
                              loss, reclaimed.toMillis());
            assertThat(reclaimed).as("claimed back after loss %d", loss).isLessThan(Duration.ofSeconds(5));
        }
    }
}
