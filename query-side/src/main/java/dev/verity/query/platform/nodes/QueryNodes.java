package dev.verity.query.platform.nodes;

import dev.verity.store.EventStoreConfiguration.EventStoreProperties;
import dev.verity.store.NodeIdentity;
import org.axonframework.common.DateTimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The query-side nodes running on this database, and this node's fair share of each pooled
 * processor's segments. Axon's pooled processors claim segments from the token store on their own
 * but know nothing of each other: the first node would claim every segment and keep them. Each
 * node therefore announces itself with a heartbeat row, and its processors claim at most
 * {@link #maxSegments its share} (Axon's {@code MaxSegmentProvider}, asked on every claim round):
 * with {@code S} segments and {@code N} live nodes, each node gets {@code S / N}, and the first
 * {@code S % N} of them (in node order, rotated per processor) one more, so the shares add up to
 * exactly {@code S}. A node above its share releases the surplus on its next claim round; a node
 * below it claims what is free. When a node dies its heartbeat goes stale, the others' shares
 * grow, and they take its segments once their claims time out in the token store.
 * <p>
 * A processor {@link #pause paused} here is paused on every node: its share is 0 everywhere, so
 * every node releases its segments (after committing the batch in flight) and claims none, until
 * the pausing node {@link #resume resumes} it or dies. A claim that has outlived the claim timeout
 * is not trusted to be a dead node's: the pause {@link #fenceExpiredClaims takes it away} from its
 * owner, so a starved node cannot commit into a paused processor.
 */
@Component
public class QueryNodes implements InitializingBean, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(QueryNodes.class);
    private static final String FENCE_PREFIX = "paused-by:";

    /** What the last heartbeat saw; read by the processors' coordinators on every claim round. */
    private record View(List<String> nodes, Set<String> paused, Map<String, List<Integer>> segments) {
    }

    private final JdbcTemplate jdbc;
    private final NodeProperties properties;
    private final Duration claimTimeout;
    private final String nodeId;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "query-node-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private volatile View view = new View(List.of(), Set.of(), Map.of());
    private volatile boolean failing;

    QueryNodes(JdbcTemplate jdbc, NodeProperties properties, EventStoreProperties eventStore, NodeIdentity node) {
        this.jdbc = jdbc;
        this.nodeId = node.id();
        this.properties = properties;
        this.claimTimeout = eventStore.tokenClaimTimeout();
    }

    /** The first heartbeat runs before any processor starts, so their first claim round already sees the others. */
    @Override
    public void afterPropertiesSet() {
        beat();
        long interval = properties.heartbeatInterval().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** The same name Axon's token store writes as a segment's {@code owner}. */
    public String nodeId() {
        return nodeId;
    }

    /** The live nodes as the last heartbeat saw them, in the order shares are handed out. */
    public List<String> nodes() {
        return view.nodes();
    }

    /** How many segments {@code processor} has in the token store, as the last heartbeat saw; null before it has any. */
    public Integer segments(String processor) {
        List<Integer> ids = view.segments().get(processor);
        return ids == null ? null : ids.size();
    }

    /** The ids of {@code processor}'s segments in the token store, as the last heartbeat saw; empty before it has any. */
    public List<Integer> segmentIds(String processor) {
        return view.segments().getOrDefault(processor, List.of());
    }

    /** How many segments of {@code processor} this node may claim now. */
    public int maxSegments(String processor) {
        View current = view;
        if (current.paused().contains(processor)) {
            return 0;
        }
        List<Integer> segments = current.segments().get(processor);
        int position = current.nodes().indexOf(nodeId);
        if (segments == null || position < 0) {
            // Tokens not initialised yet, or this node not registered (the database unreachable):
            // claiming is then either how the segments come to exist or fails on its own.
            return Short.MAX_VALUE;
        }
        return share(segments.size(), current.nodes().size(), position, processor);
    }

    /** The share of the node at {@code position} of {@code nodes}; the larger shares rotate with the processor. */
    static int share(int segments, int nodes, int position, String processor) {
        int turn = Math.floorMod(position - Math.floorMod(processor.hashCode(), nodes), nodes);
        return segments / nodes + (turn < segments % nodes ? 1 : 0);
    }

    /**
     * Pauses {@code processor} on every node: waits until no node holds a live claim on any of its
     * segments, so its stored tokens are final and may be moved.
     *
     * @throws IllegalStateException when another node holds a pause of it, or a claim outlives the timeout
     */
    public void pause(String processor, String reason, Duration timeout, Duration pollInterval) {
        int taken = jdbc.update("INSERT INTO event_store.processor_pause (processor_name, paused_by, reason, expires_at)"
                                + " VALUES (?, ?, ?, now() + make_interval(secs => ?))"
                                + " ON CONFLICT (processor_name) DO UPDATE SET paused_by = excluded.paused_by,"
                                + " reason = excluded.reason, paused_at = now(), expires_at = excluded.expires_at"
                                + " WHERE event_store.processor_pause.expires_at < now()"
                                + " OR event_store.processor_pause.paused_by = excluded.paused_by",
                                processor, nodeId, reason, leaseSeconds());
        if (taken == 0) {
            throw new IllegalStateException("Processor " + processor + " is paused by another query node: "
                                            + jdbc.queryForObject("SELECT reason || ' on ' || paused_by FROM"
                                                                  + " event_store.processor_pause WHERE processor_name = ?",
                                                                  String.class, processor));
        }
        refresh();
        long deadline = System.nanoTime() + timeout.toNanos();
        fenceExpiredClaims(processor);
        Optional<String> claim = liveClaim(processor);
        while (claim.isPresent()) {
            if (System.nanoTime() > deadline) {
                resume(processor);
                throw new IllegalStateException("Processor " + processor + " did not stop within " + timeout + ": "
                                                + claim.get(), new TimeoutException());
            }
            sleep(pollInterval);
            // A node with a stale view of the pause may have claimed again since; its claim is waited out too.
            fenceExpiredClaims(processor);
            claim = liveClaim(processor);
        }
    }

    /**
     * The owner this node writes into the segments it {@link #pause paused} to take them from
     * their owners; never a processor's node id, so no processor's token store takes it for its own.
     */
    public String fence() {
        return FENCE_PREFIX + nodeId;
    }

    /**
     * The timestamp a fence carries: ahead of now by the pause's lease, so it stays unexpired
     * (Axon lets anyone claim a segment whose claim is older than the claim timeout) between two
     * heartbeats even when this node is slow, and lapses soon after this node is gone.
     */
    public String fenceTimestamp() {
        return DateTimeUtils.formatInstant(Instant.now().plusMillis((long) (leaseSeconds() * 1000)));
    }

    /**
     * Takes every expired claim on {@code processor}'s segments from its owner. An expired claim
     * need not be a dead node's: a starved one may still be processing a batch, and Axon's token
     * store would let it commit (rows and token) as long as it is the owner. Writing this node's
     * {@link #fence} as the owner makes that node's next token store and claim extension fail, so
     * its batch in flight rolls back, rows and token together. The owner is not set to null: Axon's
     * {@code storeToken} falls back to claiming a segment nobody owns, and would succeed. Only the
     * claim as it was read is taken (same owner, same timestamp): one stored or extended since is
     * live again, and waited for.
     */
    void fenceExpiredClaims(String processor) {
        Instant expired = Instant.now().minus(claimTimeout);
        for (Object[] claim : claims(processor)) {
            String owner = (String) claim[1];
            String timestamp = (String) claim[2];
            if (!owner.startsWith(FENCE_PREFIX) && timestamp != null
                && !DateTimeUtils.parseInstant(timestamp).isAfter(expired)) {
                int taken = jdbc.update("UPDATE event_store.token_entry SET owner = ?, timestamp = ?"
                                        + " WHERE processor_name = ? AND segment = ? AND owner = ? AND timestamp = ?",
                                        fence(), fenceTimestamp(), processor, claim[0], owner, timestamp);
                if (taken == 1) {
                    log.warn("Took segment {} of {} from {}, whose claim had expired, to pause it",
                             claim[0], processor, owner);
                }
            }
        }
    }

    /** Lets every node claim segments of {@code processor} again. */
    public void resume(String processor) {
        jdbc.update("UPDATE event_store.token_entry SET owner = NULL WHERE processor_name = ? AND owner = ?",
                    processor, fence());
        jdbc.update("DELETE FROM event_store.processor_pause WHERE processor_name = ? AND paused_by = ?",
                    processor, nodeId);
        beat();
    }

    /**
     * A segment of {@code processor} that a node still claims, described; empty when none is. A
     * claim not extended within the token store's claim timeout is no claim: its node is gone or
     * starved (a pause {@link #fenceExpiredClaims takes it away}). A pause's fence is no claim either.
     */
    public Optional<String> liveClaim(String processor) {
        Instant expired = Instant.now().minus(claimTimeout);
        return claims(processor).stream()
                   .filter(claim -> !((String) claim[1]).startsWith(FENCE_PREFIX))
                   .filter(claim -> claim[2] == null || DateTimeUtils.parseInstant((String) claim[2]).isAfter(expired))
                   .map(claim -> "segment " + claim[0] + " is claimed by " + claim[1])
                   .findFirst();
    }

    /** Segment, owner and timestamp of every owned segment of {@code processor}. */
    private List<Object[]> claims(String processor) {
        return jdbc.query("SELECT segment, owner, timestamp FROM event_store.token_entry"
                          + " WHERE processor_name = ? AND owner IS NOT NULL ORDER BY segment",
                          (rs, row) -> new Object[] {rs.getInt("segment"), rs.getString("owner"),
                                                     rs.getString("timestamp")}, processor);
    }

    /** Renews the heartbeat and rereads the others' now, rather than at the next beat. */
    void refresh() {
        beat();
    }

    private void beat() {
        try {
            jdbc.update("INSERT INTO event_store.query_node (node_id) VALUES (?)"
                        + " ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()", nodeId);
            jdbc.update("UPDATE event_store.processor_pause SET expires_at = now() + make_interval(secs => ?)"
                        + " WHERE paused_by = ?", leaseSeconds(), nodeId);
            jdbc.update("UPDATE event_store.token_entry SET timestamp = ? WHERE owner = ?", fenceTimestamp(), fence());
            List<String> nodes = jdbc.queryForList(
                    "SELECT node_id FROM event_store.query_node"
                    + " WHERE heartbeat_at > now() - make_interval(secs => ?) ORDER BY node_id",
                    String.class, properties.nodeTimeout().toMillis() / 1000.0);
            Set<String> paused = Set.copyOf(jdbc.queryForList(
                    "SELECT processor_name FROM event_store.processor_pause WHERE expires_at > now()", String.class));
            Map<String, List<Integer>> segments = new HashMap<>();
            jdbc.query("SELECT processor_name, segment FROM event_store.token_entry ORDER BY processor_name, segment",
                       rs -> {
                           segments.computeIfAbsent(rs.getString("processor_name"), p -> new ArrayList<>())
                                   .add(rs.getInt("segment"));
                       });
            segments.replaceAll((processor, ids) -> List.copyOf(ids));
            view = new View(nodes, paused, Map.copyOf(segments));
            if (failing) {
                log.info("Query node {} reaches the database again; {} live nodes", nodeId, nodes.size());
                failing = false;
            }
        } catch (DataAccessException e) {
            if (!failing) {
                log.warn("Query node {} could not renew its heartbeat; keeping its last view of the nodes", nodeId, e);
                failing = true;
            }
        }
    }

    /** A pause outlives its node by a few heartbeats at most. */
    private double leaseSeconds() {
        return properties.nodeTimeout().toMillis() * 2 / 1000.0;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for processors to stop", e);
        }
    }

    /**
     * Leaves at once, so the others need not wait for the heartbeat to go stale (the processors
     * have released their claims by now).
     */
    @Override
    public void destroy() throws InterruptedException {
        heartbeat.shutdownNow();
        heartbeat.awaitTermination(5, TimeUnit.SECONDS);
        try {
            jdbc.update("UPDATE event_store.token_entry SET owner = NULL WHERE owner = ?", fence());
            jdbc.update("DELETE FROM event_store.processor_pause WHERE paused_by = ?", nodeId);
            jdbc.update("DELETE FROM event_store.query_node WHERE node_id = ?", nodeId);
        } catch (DataAccessException e) {
            log.warn("Query node {} could not sign off; the others notice when its heartbeat goes stale", nodeId, e);
        }
    }
}
