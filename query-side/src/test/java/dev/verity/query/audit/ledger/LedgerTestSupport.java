package dev.verity.query.audit.ledger;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.springframework.beans.factory.annotation.Autowired;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * Helpers for ledger tests on the shared test database. The ledger covers every test's events,
 * so tests assert on their own events' positions, and any test that tampers restores the rows
 * it touched in a {@code finally}, or every later verification on this database would fail.
 */
abstract class LedgerTestSupport extends QuerySideTest {

    protected static final Duration CHAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern TOKEN_INDEX = Pattern.compile("\"index\":(\\d+)");

    @Autowired
    protected LedgerChainer chainer;

    @Autowired
    protected EventStorageEngine storageEngine;

    @Autowired
    private DataSource dataSource;

    protected final UUID tenant = UUID.randomUUID();

    protected String auditToken() {
        return TestTokens.token(JWT_SECRET, tenant, "audit", Instant.now().plus(Duration.ofMinutes(10)));
    }

    /** Appends a new task's creation as the command side would and returns its stored row. */
    protected StoredEvent appendTask() {
        UUID taskId = UUID.randomUUID();
        eventStreams.append(tenant, TaskEvents.created(taskId, tenant, UUID.randomUUID()));
        return stored(taskId);
    }

    /** Appends a task creation whose event time lies in the past, as a writer with a stale clock would. */
    protected StoredEvent appendTaskWrittenAt(Instant timestamp) {
        UUID taskId = UUID.randomUUID();
        storageEngine.appendEvents(new GenericDomainEventMessage<>(
                "Task", taskId.toString(), 0, TaskEvents.created(taskId, tenant, UUID.randomUUID()),
                EventStreams.metaData(tenant), UUID.randomUUID().toString(), timestamp));
        return stored(taskId);
    }

    protected StoredEvent stored(UUID taskId) {
        return owner.queryForObject("SELECT " + StoredEvent.COLUMNS + " FROM event_store.domain_event_entry"
                                            + " WHERE aggregate_identifier = ? AND sequence_number = 0",
                                    StoredEvent::map, taskId.toString());
    }

    /** Takes a global index and never stores an event there: the hole a rolled-back append leaves. */
    protected long burnGlobalIndex() {
        return owner.queryForObject(
                "SELECT nextval(pg_get_serial_sequence('event_store.domain_event_entry', 'global_index'))", Long.class);
    }

    protected Optional<LedgerEntry> entryFor(long globalIndex) {
        return owner.query("SELECT " + LedgerEntry.COLUMNS + " FROM event_store.ledger WHERE global_index = ?",
                           LedgerEntry::map, globalIndex).stream().findFirst();
    }

    protected Optional<LedgerEntry> entryAt(long position) {
        return owner.query("SELECT " + LedgerEntry.COLUMNS + " FROM event_store.ledger WHERE position = ?",
                           LedgerEntry::map, position).stream().findFirst();
    }

    protected long ledgerHeadPosition() {
        return owner.queryForObject("SELECT coalesce(max(position), 0) FROM event_store.ledger", Long.class);
    }

    /**
     * Chains (the background chainer may beat us to it) until the event is in the ledger. Bounded
     * generously: any write transaction open anywhere on the shared test server holds the chain's
     * line until it ends, and other builds run there too.
     */
    protected LedgerEntry awaitChained(StoredEvent event) {
        await("global_index " + event.globalIndex() + " chained")
                .atMost(CHAIN_TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    chainer.chain();
                    return entryFor(event.globalIndex()).isPresent();
                });
        return entryFor(event.globalIndex()).orElseThrow();
    }

    /** Waits until every running event processor has stored a token at or past {@code globalIndex}. */
    protected void awaitProcessorsPast(long globalIndex) {
        await("every event processor past global_index " + globalIndex)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> owner.queryForList("SELECT convert_from(token, 'UTF8') FROM event_store.token_entry"
                                                        + " WHERE owner IS NOT NULL AND token IS NOT NULL", String.class)
                                  .stream().allMatch(token -> lowestIndex(token) >= globalIndex));
    }

    /** A replay token holds two positions; the lower one is where that processor actually is. */
    private static long lowestIndex(String token) {
        Matcher matcher = TOKEN_INDEX.matcher(token);
        long lowest = Long.MAX_VALUE;
        while (matcher.find()) {
            lowest = Math.min(lowest, Long.parseLong(matcher.group(1)));
        }
        return lowest == Long.MAX_VALUE ? -1 : lowest;
    }

    protected Response verify(String body) {
        return api().post("/api/v1/audit/ledger/verify", auditToken(), body);
    }

    protected Response digest() {
        return api().get("/api/v1/audit/digest", auditToken());
    }

    /** The whole stored row, to put it back exactly as it was after a test removed it. */
    protected Map<String, Object> storedRow(long globalIndex) {
        return owner.queryForMap("SELECT * FROM event_store.domain_event_entry WHERE global_index = ?", globalIndex);
    }

    protected void insertRow(Map<String, Object> row) {
        List<String> columns = List.copyOf(row.keySet());
        owner.update("INSERT INTO event_store.domain_event_entry (" + String.join(", ", columns) + ") VALUES ("
                             + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")",
                     columns.stream().map(row::get).toArray());
    }

    /** Flips bit 5 of one payload byte: for an ASCII letter that swaps its case, so the JSON stays valid. */
    protected void flipPayloadByte(long globalIndex, int offset) {
        withEventsWritable(() -> owner.update(
                "UPDATE event_store.domain_event_entry SET payload = set_byte(payload, ?, get_byte(payload, ?) # 32)"
                + " WHERE global_index = ?", offset, offset, globalIndex));
    }

    protected void deleteStoredEvent(long globalIndex) {
        withEventsWritable(() -> owner.update("DELETE FROM event_store.domain_event_entry WHERE global_index = ?",
                                              globalIndex));
    }

    /** What the owner of the event table can do despite its append-only trigger (V10), as an attacker would. */
    private void withEventsWritable(Runnable tampering) {
        owner.execute("ALTER TABLE event_store.domain_event_entry DISABLE TRIGGER trg_domain_event_entry_append_only");
        try {
            tampering.run();
        } finally {
            owner.execute("ALTER TABLE event_store.domain_event_entry ENABLE TRIGGER trg_domain_event_entry_append_only");
        }
    }

    interface Tampering {
        void run() throws Exception;
    }

    /**
     * Holds the chainer's lock (session-level, so it outlives single statements) for the duration,
     * as an attacker rewriting the ledger would have to: no chainer can append meanwhile.
     */
    protected void withChainerPaused(Tampering tampering) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, LedgerChainer.LOCK_KEY);
                lock.execute();
            }
            try {
                tampering.run();
            } finally {
                try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, LedgerChainer.LOCK_KEY);
                    unlock.execute();
                }
            }
        }
    }

    /** What the owner of the ledger table can do despite the append-only trigger (and what DDL logging shows). */
    protected void withLedgerWritable(Tampering tampering) throws Exception {
        owner.execute("ALTER TABLE event_store.ledger DISABLE TRIGGER trg_ledger_append_only");
        try {
            tampering.run();
        } finally {
            owner.execute("ALTER TABLE event_store.ledger ENABLE TRIGGER trg_ledger_append_only");
        }
    }
}
