package dev.verity.query.stream;

import dev.verity.query.admin.projection.ProjectionStatuses;
import dev.verity.query.admin.projection.ProjectionStatuses.ProjectionStatus;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.tenancy.TenantReads;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.security.Reach;
import dev.verity.query.platform.web.ProblemException;
import dev.verity.query.stream.Topics.RecordTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Fans this node's change notices out to its open streams.
 * <p>
 * A record notice reaches only the streams following that tenant's record: the notice carries
 * the row's tenant and the subscription is keyed by the caller's, so no tenant ever receives
 * another's. Projection status is computed on one thread at most every {@code projection-interval},
 * when a notice said something moved, while a rebuild runs, and every {@code projection-sweep}
 * anyway (a processor's error or stop is in memory, not in a table); each client gets a
 * projection's status only when it differs from the last one it got. Statuses are those of
 * {@code GET /api/v1/admin/projections} for the caller's reach: an admin's own tenant's dead
 * letters, an operator's of every tenant.
 * <p>
 * Whenever notices may have been missed (the LISTEN connection was lost) or rows changed without
 * one (a rebuild's swap brings in rows its replay wrote), the followed records' versions are read
 * again and anything newer is sent.
 */
@Component
class StreamHub implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);

    /** A followed record: whose, which root table, which id. */
    record RecordKey(UUID tenantId, String table, UUID id) {
    }

    private final StreamProperties properties;
    private final ProjectionStatuses statuses;
    private final Projections projections;
    private final TenantReads reads;
    private final JsonMapper json;

    private final Map<RecordKey, Set<StreamClient>> byRecord = new ConcurrentHashMap<>();
    private final Set<StreamClient> clients = ConcurrentHashMap.newKeySet();
    private final Set<StreamClient> projectionClients = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Integer> perTenant = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean projectionsMoved = new AtomicBoolean();
    private final AtomicBoolean snapshotWanted = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(named("stream-hub"));
    private final ExecutorService writer = Executors.newSingleThreadExecutor(named("stream-writer"));
    private final ExecutorService rereads = Executors.newSingleThreadExecutor(named("stream-reread"));
    private volatile boolean running;
    /** Scheduler thread only. */
    private boolean rebuilding;
    private long ticks;

    StreamHub(StreamProperties properties, ProjectionStatuses statuses, Projections projections,
              TenantReads reads, JsonMapper json) {
        this.properties = properties;
        this.statuses = statuses;
        this.projections = projections;
        this.reads = reads;
        this.json = json;
    }

    /**
     * Registers a stream, not yet attached to its response: notices from now on are queued for it.
     *
     * @throws ProblemException 429 {@code too_many_streams} past the tenant's limit, 503 past the node's
     */
    StreamClient open(Jwt jwt, Topics topics, long[] resumed) {
        UUID tenant = Caller.from(jwt).tenantId();
        boolean[] admitted = {false};
        perTenant.compute(tenant, (t, count) -> {
            int current = count == null ? 0 : count;
            if (current >= properties.maxStreamsPerTenant()) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (!admitted[0]) {
            throw ProblemException.tooMany("too_many_streams", "This tenant has " + properties.maxStreamsPerTenant()
                    + " streams open on this node already (verity.stream.max-streams-per-tenant); close one or retry later");
        }
        if (open.incrementAndGet() > properties.maxStreams()) {
            open.decrementAndGet();
            release(tenant);
            throw ProblemException.unavailable("too_many_streams", "This node serves " + properties.maxStreams()
                    + " streams already (verity.stream.max-streams); retry shortly");
        }
        StreamClient client = new StreamClient(tenant, Reach.of(jwt), topics, resumed, jwt.getExpiresAt(),
                                               properties.clientBuffer(), writer, this::closed);
        clients.add(client);
        for (RecordTopic topic : topics.records()) {
            byRecord.computeIfAbsent(key(tenant, topic), k -> ConcurrentHashMap.newKeySet()).add(client);
        }
        if (topics.projections()) {
            projectionClients.add(client);
            snapshotWanted.set(true);
            scheduler.execute(this::projectionTick);
        }
        return client;
    }

    /** Queues each followed record's current version (when newer than the client has): on connect and resume. */
    void catchUp(StreamClient client) {
        reread(Set.of(client), key -> true);
    }

    int openStreams(UUID tenant) {
        return perTenant.getOrDefault(tenant, 0);
    }

    /** From the listener thread: must not block. */
    void recordChanged(UUID tenantId, String table, UUID id, long version) {
        RecordKey key = new RecordKey(tenantId, table, id);
        Set<StreamClient> followers = byRecord.get(key);
        if (followers == null) {
            return;
        }
        for (StreamClient client : followers) {
            List<RecordTopic> records = client.records();
            for (int i = 0; i < records.size(); i++) {
                if (key.equals(key(client.tenantId(), records.get(i)))) {
                    client.record(i, version);
                }
            }
        }
    }

    /** From the listener thread: a projection's token or dead letters moved. */
    void projectionMoved() {
        projectionsMoved.set(true);
    }

    /** From the listener thread: {@code projection}'s rebuilt tables are live, with rows no notice announced. */
    void projectionSwapped(String projection) {
        projectionsMoved.set(true);
        projections.find(projection).ifPresent(definition -> {
            Set<String> tables = Set.copyOf(definition.tables());
            rereads.execute(() -> rereadQuietly(key -> tables.contains(key.table())));
        });
    }

    /** From the listener thread, after (re)connecting: whatever was announced meanwhile was not heard. */
    void noticesMissed() {
        projectionsMoved.set(true);
        rereads.execute(() -> rereadQuietly(key -> true));
    }

    private void rereadQuietly(Predicate<RecordKey> which) {
        try {
            reread(clients, which);
        } catch (RuntimeException e) {
            LOG.warn("Could not read followed records' versions again for the live stream", e);
        }
    }

    private void reread(Set<StreamClient> targets, Predicate<RecordKey> which) {
        Map<UUID, Map<String, List<UUID>>> wanted = new HashMap<>();
        for (StreamClient client : targets) {
            for (RecordTopic topic : client.records()) {
                if (which.test(key(client.tenantId(), topic))) {
                    wanted.computeIfAbsent(client.tenantId(), t -> new HashMap<>())
                          .computeIfAbsent(topic.table(), t -> new ArrayList<>()).add(topic.id());
                }
            }
        }
        wanted.forEach((tenant, tables) -> tables.forEach((table, ids) -> {
            reads.versions(tenant, table, ids.stream().distinct().toList())
                          .forEach((id, version) -> recordChanged(tenant, table, id, version));
        }));
    }

    private void projectionTick() {
        try {
            boolean sweep = ++ticks % Math.max(1, properties.projectionSweep().toMillis()
                                                  / Math.max(1, properties.projectionInterval().toMillis())) == 0;
            boolean due = projectionsMoved.getAndSet(false) | snapshotWanted.getAndSet(false) | rebuilding | sweep;
            if (!due || projectionClients.isEmpty()) {
                return;
            }
            Set<Reach> reaches = projectionClients.stream().map(StreamClient::reach).collect(Collectors.toSet());
            Map<Reach, List<ProjectionStatus>> byReach = statuses.all(reaches);
            rebuilding = byReach.values().stream().flatMap(List::stream).anyMatch(s -> "rebuilding".equals(s.state()));
            Map<Reach, Map<String, String>> rendered = new HashMap<>();
            byReach.forEach((reach, list) -> rendered.put(reach, list.stream().collect(
                    Collectors.toMap(ProjectionStatus::name, json::writeValueAsString, (a, b) -> a,
                                     LinkedHashMap::new))));
            for (StreamClient client : projectionClients) {
                Map<String, String> forClient = rendered.get(client.reach());
                if (forClient != null) {
                    forClient.forEach(client::projection);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not read projection statuses for the live stream; trying again", e);
            projectionsMoved.set(true);
        }
    }

    private void heartbeats() {
        Instant now = Instant.now();
        for (StreamClient client : clients) {
            if (client.expired(now)) {
                client.close();
            } else {
                client.heartbeat();
            }
        }
    }

    private void closed(StreamClient client) {
        if (!clients.remove(client)) {
            return;
        }
        projectionClients.remove(client);
        for (RecordTopic topic : client.records()) {
            byRecord.computeIfPresent(key(client.tenantId(), topic), (k, followers) -> {
                followers.remove(client);
                return followers.isEmpty() ? null : followers;
            });
        }
        open.decrementAndGet();
        release(client.tenantId());
    }

    private void release(UUID tenant) {
        perTenant.computeIfPresent(tenant, (t, count) -> count <= 1 ? null : count - 1);
    }

    private static RecordKey key(UUID tenantId, RecordTopic topic) {
        return new RecordKey(tenantId, topic.table(), topic.id());
    }

    @Override
    public void start() {
        long interval = properties.projectionInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::projectionTick, interval, interval, TimeUnit.MILLISECONDS);
        long heartbeat = properties.heartbeat().toMillis();
        scheduler.scheduleWithFixedDelay(this::heartbeats, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        List.copyOf(clients).forEach(StreamClient::close);
        scheduler.shutdownNow();
        rereads.shutdownNow();
        writer.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
