package dev.verity.query.platform.nodes;

import dev.verity.query.QuerySideTest;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Query nodes on one database divide each processor's segments, and pause a processor together. */
class QueryNodesTest extends QuerySideTest {

    private static final List<String> OTHERS = List.of("0-other-node@test", "1-other-node@test", "~other-node@test");

    @Autowired
    private QueryNodes nodes;

    @Autowired
    private EventProcessingConfiguration processing;

    @Autowired
    private ConnectionProvider connections;

    @Autowired
    private Serializer serializer;

    @AfterEach
    void forgetOtherNodes() {
        owner.update("DELETE FROM event_store.processor_pause WHERE paused_by LIKE '%other-node@test'");
        owner.update("DELETE FROM event_store.token_entry WHERE processor_name = 'fence-probe'");
        OTHERS.forEach(node -> owner.update("DELETE FROM event_store.query_node WHERE node_id = ?", node));
        nodes.refresh();
        // The other test classes share this context: leave every processor holding all its segments
        // again, as this node alone should, rather than let them catch up in someone else's test.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            nodes.refresh();
            for (StreamingEventProcessor processor : streamingProcessors()) {
                Integer segments = nodes.segments(processor.getName());
                if (segments != null && processor.isRunning()) {
                    assertThat(processor.processingStatus())
                            .as(() -> processor.getName() + " on " + nodes.nodeId() + " (nodes " + nodes.nodes()
                                      + "), claims: " + claims(processor.getName()))
                            .hasSize(segments);
                }
            }
        });
    }

    private List<?> claims(String processor) {
        return owner.queryForList("SELECT segment, owner, timestamp FROM event_store.token_entry"
                                  + " WHERE processor_name = ? ORDER BY segment", processor);
    }

    private List<StreamingEventProcessor> streamingProcessors() {
        return processing.eventProcessors().values().stream()
                         .filter(StreamingEventProcessor.class::isInstance)
                         .map(StreamingEventProcessor.class::cast)
                         .toList();
    }

    @Test
    void shares_addUpToEverySegment_forAnyNodeCount() {
        for (int segments = 1; segments <= 8; segments++) {
            for (int count = 1; count <= 5; count++) {
                int s = segments;
                int n = count;
                List<Integer> shares = IntStream.range(0, n).mapToObj(p -> QueryNodes.share(s, n, p, "tasks")).toList();
                assertThat(shares.stream().mapToInt(Integer::intValue).sum()).isEqualTo(segments);
                assertThat(shares.stream().mapToInt(Integer::intValue).max().orElseThrow()
                           - shares.stream().mapToInt(Integer::intValue).min().orElseThrow()).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void liveProcessor_claimsOnlyItsShare_whenOtherNodesBeat() {
        StreamingEventProcessor tasks = tasks();
        await().atMost(Duration.ofSeconds(10)).until(() -> !tasks.processingStatus().isEmpty());
        int segments = owner.queryForObject("SELECT count(*) FROM event_store.token_entry WHERE processor_name = 'tasks'",
                                            Integer.class);
        OTHERS.forEach(node -> owner.update("INSERT INTO event_store.query_node (node_id) VALUES (?)", node));
        nodes.refresh();
        int position = nodes.nodes().indexOf(nodes.nodeId());
        int share = QueryNodes.share(segments, 4, position, "tasks");

        assertThat(nodes.nodes()).hasSize(4);
        assertThat(nodes.maxSegments("tasks")).isEqualTo(share);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            nodes.refresh();
            assertThat(tasks.processingStatus()).hasSize(share);
        });
    }

    @Test
    void pause_releasesEverySegment_untilResumed() {
        StreamingEventProcessor tasks = tasks();
        await().atMost(Duration.ofSeconds(10)).until(() -> !tasks.processingStatus().isEmpty());

        nodes.pause("tasks", "a test", Duration.ofSeconds(10), Duration.ofMillis(20));
        try {
            assertThat(nodes.liveClaim("tasks")).isEmpty();
            assertThat(owner.queryForObject("SELECT count(*) FROM event_store.token_entry"
                                            + " WHERE processor_name = 'tasks' AND owner IS NOT NULL", Integer.class))
                    .isZero();
            assertThat(nodes.maxSegments("tasks")).isZero();
        } finally {
            nodes.resume("tasks");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !tasks.processingStatus().isEmpty());
    }

    @Test
    void pause_takesAnExpiredClaimFromItsOwner_soTheOwnersNextStoreFails() {
        // A node that still runs but has not extended its claim within the timeout (starved, say).
        JdbcTokenStore starved = tokenStoreOf(OTHERS.get(2));
        starved.initializeTokenSegments("fence-probe", 1);
        starved.fetchToken("fence-probe", 0);
        owner.update("UPDATE event_store.token_entry SET timestamp = ? WHERE processor_name = 'fence-probe'",
                     DateTimeUtils.formatInstant(Instant.now().minusSeconds(10)));

        nodes.pause("fence-probe", "a test", Duration.ofSeconds(10), Duration.ofMillis(20));
        try {
            assertThat(owner.queryForObject("SELECT owner FROM event_store.token_entry WHERE processor_name = 'fence-probe'",
                                            String.class)).isEqualTo(nodes.fence());
            assertThatThrownBy(() -> starved.storeToken(new GlobalSequenceTrackingToken(5), "fence-probe", 0))
                    .isInstanceOf(UnableToClaimTokenException.class);
            assertThatThrownBy(() -> starved.extendClaim("fence-probe", 0))
                    .isInstanceOf(UnableToClaimTokenException.class);
            assertThat(owner.queryForObject("SELECT token FROM event_store.token_entry WHERE processor_name = 'fence-probe'",
                                            byte[].class)).isNull();
        } finally {
            nodes.resume("fence-probe");
        }
        assertThat(owner.queryForObject("SELECT owner FROM event_store.token_entry WHERE processor_name = 'fence-probe'",
                                        String.class)).isNull();
    }

    private JdbcTokenStore tokenStoreOf(String nodeId) {
        return JdbcTokenStore.builder()
                             .connectionProvider(connections)
                             .serializer(serializer)
                             .schema(TokenSchema.builder().setTokenTable("event_store.token_entry")
                                                .setProcessorNameColumn("processor_name").setSegmentColumn("segment")
                                                .setTokenColumn("token").setTokenTypeColumn("token_type")
                                                .setTimestampColumn("timestamp").setOwnerColumn("owner").build())
                             .claimTimeout(Duration.ofSeconds(3))
                             .nodeId(nodeId)
                             .build();
    }

    @Test
    void pause_isRefused_whileAnotherNodeHoldsIt() {
        owner.update("INSERT INTO event_store.processor_pause (processor_name, paused_by, reason, expires_at)"
                     + " VALUES ('event-log', ?, 'a rebuild', now() + interval '1 minute')", OTHERS.get(0));

        assertThatThrownBy(() -> nodes.pause("event-log", "a test", Duration.ofSeconds(1), Duration.ofMillis(20)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a rebuild on " + OTHERS.get(0));
    }

    @Test
    void splitterTarget_isTheConfiguredCount_orOnePerNodeRoundedUpToAPowerOfTwo() {
        assertThat(SegmentSplitter.target(2, 0)).isEqualTo(2);
        assertThat(SegmentSplitter.target(2, 1)).isEqualTo(2);
        assertThat(SegmentSplitter.target(2, 2)).isEqualTo(2);
        assertThat(SegmentSplitter.target(2, 3)).isEqualTo(4);
        assertThat(SegmentSplitter.target(2, 4)).isEqualTo(4);
        assertThat(SegmentSplitter.target(2, 5)).isEqualTo(8);
        assertThat(SegmentSplitter.target(4, 3)).isEqualTo(4);
        assertThat(SegmentSplitter.target(8, 3)).isEqualTo(8);
    }

    @Test
    void splitter_bringsAStoreMadeWithFewerSegments_upToTheConfiguredCount() {
        // The probe projection's processor is made with 2 segments; verity.projections.segments is 4.
        await().atMost(Duration.ofSeconds(30)).until(() -> owner.queryForObject(
                "SELECT count(*) FROM event_store.token_entry WHERE processor_name = 'probe'", Integer.class) == 4);
    }

    private StreamingEventProcessor tasks() {
        return processing.eventProcessor("tasks", StreamingEventProcessor.class).orElseThrow();
    }
}
