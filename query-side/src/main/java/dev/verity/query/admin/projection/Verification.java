package dev.verity.query.admin.projection;

import dev.verity.events.common.MetadataKeys;
import dev.verity.query.admin.projection.TableComparison.TableResult;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.projection.ReadModelWriter;
import org.axonframework.eventhandling.TrackingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Proves that the live tables are what the event store says they should be: every registered
 * projection is rebuilt into a scratch schema (the rebuild's replay code, no swap) and each table
 * compared with its live twin row by row.
 * <p>
 * Both sides must stand at the same point of the log, or events arriving meanwhile would show up
 * as differences. So, per projection: first wait (bounded) until its live processor has reached
 * the head as it was when verification was asked for; replay up to where the processor is; pause
 * the processor; replay exactly the events its segments' tokens say it has handled; pin a
 * REPEATABLE READ snapshot of the tables; start the processor again, and compare inside that
 * snapshot while it goes on. The processor is paused only for the few events that arrived during
 * the replay, never for the comparison.
 * <p>
 * Under concurrent writers events commit out of global order, so both replays judge each event by
 * its own global index (looked up in the store, not taken from a tracking token, whose index is
 * the highest seen), and the replay before the pause stops below every segment's oldest gap: an
 * event filling a gap later is judged against the paused tokens, never applied on trust. Events
 * parked in a dead-letter queue are real differences: the live tables lack them.
 * <p>
 * A tenant's verification ({@link #verify(UUID)}) replays only that tenant's events and compares
 * only its rows, and pauses no processor, so any tenant's auditor may run it at any time. Tokens
 * and tables must still be seen at one instant: the processors commit each batch's rows together
 * with their tokens, so one snapshot sees them agree. A read-only REPEATABLE READ snapshot reads
 * the tokens and exports itself; a short transaction importing it copies the tenant's live rows
 * into a scratch schema; then the replay writes the events those tokens cover into another, in
 * batches of their own, and the two copies are compared. No step holds a long write transaction:
 * a write transaction's id would hold back the ledger's line for as long as it stayed open
 * (docs/ledger.md, "the rule"). A difference is reported only when it shows in
 * {@code verify-attempts} such comparisons in a row ({@link ConfirmedDifferences} says why).
 */
@Component
class Verification {

    private static final Logger log = LoggerFactory.getLogger(Verification.class);
    private static final int MOVED_ATTEMPTS = 3;

    /**
     * How far one projection was compared: every event up to global index {@code position}, each
     * handled by its segment (faster segments' events beyond it too). {@code head} is the event store's
     * head when verification was asked for; {@code caughtUp} says the comparison reached it, which
     * it does unless the processor could not catch up in time (stopped, failing, far behind).
     * {@code error} says why a projection could not be verified at all (its replay failed); its
     * tables are then missing from the result, and {@code ok} is false.
     */
    record ProjectionCoverage(String name, long position, long head, boolean caughtUp, String error) {
    }

    record Result(boolean ok, Instant verifiedAt, List<ProjectionCoverage> projections, List<TableResult> tables) {
    }

    private final Projections projections;
    private final ShadowTables shadowTables;
    private final Replays replays;
    private final LiveProcessors live;
    private final ProcessorTokens tokens;
    private final EventStoreHead head;
    private final TableComparison comparison;
    private final MaintenanceLock lock;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate snapshot;
    private final TransactionTemplate copyInSnapshot;
    private final ProjectionOperationsProperties properties;
    private final Clock clock = Clock.systemUTC();

    Verification(Projections projections, ShadowTables shadowTables, Replays replays, LiveProcessors live,
                 ProcessorTokens tokens, EventStoreHead head, TableComparison comparison, MaintenanceLock lock,
                 JdbcTemplate jdbc, PlatformTransactionManager transactionManager,
                 ProjectionOperationsProperties properties) {
        this.projections = projections;
        this.shadowTables = shadowTables;
        this.replays = replays;
        this.live = live;
        this.tokens = tokens;
        this.head = head;
        this.comparison = comparison;
        this.lock = lock;
        this.jdbc = jdbc;
        this.snapshot = new TransactionTemplate(transactionManager);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
        this.copyInSnapshot = new TransactionTemplate(transactionManager);
        this.copyInSnapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.copyInSnapshot.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.properties = properties;
    }

    /** @throws dev.verity.query.platform.web.ProblemException 409 while a rebuild or verification runs */
    Result verify() {
        lock.acquire("verify_in_progress", "A verification");
        String scratch = "verify_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try {
            long target = head.head();
            long deadline = System.nanoTime() + properties.verifyCatchUpTimeout().toNanos();
            List<ProjectionDefinition> all = List.copyOf(projections.all());
            shadowTables.create(scratch, all.stream().flatMap(p -> p.tables().stream()).toList());
            List<ProjectionCoverage> coverage = new ArrayList<>();
            List<TableResult> tables = new ArrayList<>();
            for (ProjectionDefinition projection : all) {
                awaitPosition(projection.name(), target, deadline);
                try {
                    long position = verifyUntilSteady(projection, scratch, tables);
                    coverage.add(new ProjectionCoverage(projection.name(), position, target, position >= target, null));
                } catch (RuntimeException e) {
                    log.warn("Could not verify projection {}", projection.name(), e);
                    coverage.add(new ProjectionCoverage(projection.name(), 0, target, false,
                                                        e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
            }
            boolean ok = tables.stream().allMatch(TableResult::ok)
                         && coverage.stream().allMatch(projection -> projection.error() == null);
            return new Result(ok, clock.instant(), coverage, tables);
        } finally {
            try {
                shadowTables.drop(scratch);
            } finally {
                lock.release();
            }
        }
    }

    /**
     * Verifies the tables' rows of one tenant against that tenant's events, in the report shape of
     * {@link #verify()}.
     *
     * @throws dev.verity.query.platform.web.ProblemException 409 while a rebuild or platform-wide verification runs
     */
    Result verify(UUID tenant) {
        lock.acquireShared("verify_in_progress", "A verification");
        try {
            return new ConfirmedDifferences<Result>(properties.verifyAttempts(), properties.verifyRetryDelay())
                    .compare(() -> compareOnce(tenant), Result::ok);
        } finally {
            lock.releaseShared();
        }
    }

    /** One comparison of the tenant's rows, at one snapshot of tokens and tables. */
    private Result compareOnce(UUID tenant) {
        String scratch = "verify_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String liveCopy = scratch + "_live";
        try {
            long target = head.head();
            long deadline = System.nanoTime() + properties.verifyCatchUpTimeout().toNanos();
            List<ProjectionDefinition> all = List.copyOf(projections.all());
            List<String> tableNames = all.stream().flatMap(p -> p.tables().stream()).toList();
            shadowTables.create(scratch, tableNames);
            shadowTables.create(liveCopy, tableNames);
            all.forEach(projection -> awaitPosition(projection.name(), target, deadline));
            Map<String, LiveCoverage> coverages = copyLiveRows(all, tenant, liveCopy);
            List<ProjectionCoverage> coverage = new ArrayList<>();
            List<TableResult> tables = new ArrayList<>();
            for (ProjectionDefinition projection : all) {
                try {
                    long position = verify(projection, coverages.get(projection.name()), tenant, scratch, liveCopy,
                                           tables);
                    coverage.add(new ProjectionCoverage(projection.name(), position, target, position >= target, null));
                } catch (RuntimeException e) {
                    log.warn("Could not verify projection {} for tenant {}", projection.name(), tenant, e);
                    coverage.add(new ProjectionCoverage(projection.name(), 0, target, false,
                                                        e.getClass().getSimpleName()));
                }
            }
            boolean ok = tables.stream().allMatch(TableResult::ok)
                         && coverage.stream().allMatch(projection -> projection.error() == null);
            return new Result(ok, clock.instant(), coverage, tables);
        } finally {
            shadowTables.drop(scratch);
            shadowTables.drop(liveCopy);
        }
    }

    /**
     * Reads every processor's tokens in a read-only snapshot (no transaction id) and copies the
     * tenant's live rows as that same snapshot sees them, in a short transaction importing it.
     */
    private Map<String, LiveCoverage> copyLiveRows(List<ProjectionDefinition> all, UUID tenant, String liveCopy) {
        Map<String, LiveCoverage> coverages = new HashMap<>();
        snapshot.executeWithoutResult(status -> {
            String exported = jdbc.queryForObject("SELECT pg_export_snapshot()", String.class);
            for (ProjectionDefinition projection : all) {
                String name = projection.name();
                coverages.put(name, new LiveCoverage(tokens.read(live.processorName(name)), live.sequencingPolicy(name)));
            }
            copyInSnapshot.executeWithoutResult(copy -> {
                // A literal: SET TRANSACTION takes no parameters, and an exported snapshot id is hex and dashes.
                jdbc.execute("SET TRANSACTION SNAPSHOT '" + exported.replaceAll("[^0-9A-Fa-f-]", "") + "'");
                for (String table : all.stream().flatMap(p -> p.tables().stream()).toList()) {
                    jdbc.update("INSERT INTO " + liveCopy + "." + table + " SELECT * FROM " + ReadModelWriter.READ_MODEL
                                + "." + table + " WHERE tenant_id = ?", tenant);
                }
            });
        });
        return coverages;
    }

    /** One projection of a tenant's verification; returns the position compared at. */
    private long verify(ProjectionDefinition projection, LiveCoverage coverage, UUID tenant, String scratch,
                        String liveCopy, List<TableResult> results) {
        String name = projection.name();
        String tenantId = tenant.toString();
        replays.into(projection, scratch, () -> false, r -> { })
               .readAvailable(coverage.highestIndex(), (event, index) -> coverage.covers(event, index)
                       && tenantId.equals(String.valueOf(event.getMetaData().get(MetadataKeys.TENANT_ID))));
        List<TableResult> compared = projection.tables().stream()
                                               .map(table -> comparison.compare(name, table, liveCopy, scratch, tenant))
                                               .toList();
        results.addAll(compared);
        return coverage.coveredThrough();
    }

    /**
     * {@link #verify(ProjectionDefinition, String, List)}, again from an empty scratch when the
     * processor moved while it was paused, a few times at most: then it is reported as an error of
     * that projection, not as the rows it would wrongly find different.
     */
    private long verifyUntilSteady(ProjectionDefinition projection, String scratch, List<TableResult> results) {
        for (int attempt = 1; ; attempt++) {
            try {
                return verify(projection, scratch, results);
            } catch (ProcessorMoved e) {
                if (attempt >= MOVED_ATTEMPTS) {
                    throw e;
                }
                log.warn("Verifying projection {} again (attempt {} of {}): {}", projection.name(), attempt + 1,
                         MOVED_ATTEMPTS, e.getMessage());
                projection.tables().forEach(table -> jdbc.execute("TRUNCATE " + scratch + "." + table));
            }
        }
    }

    /** Compares one projection's tables, adding their results; returns the position compared at. */
    private long verify(ProjectionDefinition projection, String scratch, List<TableResult> results) {
        String name = projection.name();
        String processor = live.processorName(name);
        StoreReplay replay = replays.into(projection, scratch, () -> false, r -> { });
        // Not past any segment's gap: an event filling one later must be judged against the paused tokens.
        replay.readAvailable(new LiveCoverage(tokens.read(processor), live.sequencingPolicy(name)).settledIndex(),
                             StoreReplay.ALL);

        boolean paused = live.pause(name, properties.pauseTimeout());
        AtomicBoolean stopped = new AtomicBoolean(paused);
        try {
            Map<Integer, TrackingToken> pausedAt = tokens.read(processor);
            LiveCoverage coverage = new LiveCoverage(pausedAt, live.sequencingPolicy(name));
            replay.readAvailable(coverage.highestIndex(), coverage::covers);
            results.addAll(snapshot.execute(status -> {
                jdbc.queryForObject("SELECT 1", Integer.class);
                // The pause is checked, not trusted: the live rows this snapshot compares must be
                // those of the tokens replayed to, which they are only if no node committed since.
                Map<Integer, TrackingToken> now = tokens.read(processor);
                if (!now.equals(pausedAt)) {
                    throw new ProcessorMoved("processor " + processor + " moved while paused for verification: "
                                             + pausedAt + " became " + now);
                }
                restart(name, stopped);
                return projection.tables().stream().map(table -> comparison.compare(name, table, scratch)).toList();
            }));
            return coverage.coveredThrough();
        } finally {
            restart(name, stopped);
        }
    }

    /**
     * Starts the paused processor from another thread: starting touches the token store in a
     * transaction of its own, which must not join the read-only snapshot this thread holds.
     */
    private void restart(String name, AtomicBoolean stopped) {
        if (stopped.compareAndSet(true, false)) {
            try {
                CompletableFuture.runAsync(() -> live.resume(name)).join();
            } catch (RuntimeException e) {
                log.error("Processor {} did not start again after verification", name, e);
            }
        }
    }

    /** Waits until the live processor has handled every event up to {@code target}, or the deadline. */
    private void awaitPosition(String name, long target, long deadline) {
        while (live.position(name).orElse(0) < target && live.running(name) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(properties.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The processor's stored tokens changed while it was paused: a node went on processing. */
    static final class ProcessorMoved extends IllegalStateException {

        ProcessorMoved(String message) {
            super(message);
        }
    }
}
