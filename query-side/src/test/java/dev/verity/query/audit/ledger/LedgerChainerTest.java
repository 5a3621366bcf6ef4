package dev.verity.query.audit.ledger;

import dev.verity.query.TaskEvents;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LedgerChainerTest extends LedgerTestSupport {

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Test
    void chain_linksEveryNewEventInGlobalOrder_toThePreviousHash() {
        List<StoredEvent> events = List.of(appendTask(), appendTask(), appendTask());

        awaitChained(events.get(2));

        LedgerEntry previous = entryAt(entryFor(events.get(0).globalIndex()).orElseThrow().position() - 1).orElseThrow();
        for (StoredEvent event : events) {
            LedgerEntry entry = entryFor(event.globalIndex()).orElseThrow();
            assertThat(entry.position()).isEqualTo(previous.position() + 1);
            assertThat(entry.eventIdentifier()).isEqualTo(event.eventIdentifier());
            assertThat(entry.hash()).isEqualTo(LedgerHash.next(previous.hash(), event));
            previous = entry;
        }
    }

    @Test
    void chain_isIdempotent_whenRunAgainWithNothingNew() {
        StoredEvent event = appendTask();
        LedgerEntry chained = awaitChained(event);
        long head = ledgerHeadPosition();

        chainer.chain();
        chainer.chain();

        assertThat(entryFor(event.globalIndex()).orElseThrow()).usingRecursiveComparison().isEqualTo(chained);
        assertThat(owner.queryForObject("SELECT count(*) FROM event_store.ledger WHERE global_index = ?", Long.class,
                                        event.globalIndex())).isEqualTo(1);
        assertThat(owner.queryForObject("SELECT count(*) = max(position) FROM event_store.ledger", Boolean.class)).isTrue();
        assertThat(ledgerHeadPosition()).isEqualTo(head);
    }

    @Test
    void chain_runsOnItsOwn_everyInterval() {
        StoredEvent event = appendTask();

        await().atMost(Duration.ofSeconds(10)).until(() -> entryFor(event.globalIndex()).isPresent());
    }

    /** The hole every 409 leaves: an append that took a global index and rolled back. */
    @Test
    void chain_reachesTheHeadAtOnce_afterARolledBackAppend() {
        LedgerEntry before = awaitChained(appendTask());
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        UUID rejected = UUID.randomUUID();
        transaction.executeWithoutResult(status -> {
            eventStreams.append(tenant, TaskEvents.created(rejected, tenant, UUID.randomUUID()));
            status.setRollbackOnly();
        });
        StoredEvent after = appendTask();
        long started = System.nanoTime();

        // The issue asks for a second (it takes milliseconds); the bound leaves room for other builds'
        // transactions on the shared server, and stays below any grace a clock-based chainer would wait.
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
            chainer.chain();
            return entryFor(after.globalIndex()).isPresent();
        });

        System.out.printf("ledger reached the head %d ms after a rolled-back append%n",
                          Duration.ofNanos(System.nanoTime() - started).toMillis());
        LedgerEntry afterEntry = entryFor(after.globalIndex()).orElseThrow();
        assertThat(owner.queryForObject("SELECT count(*) FROM event_store.domain_event_entry"
                                        + " WHERE aggregate_identifier = ?", Long.class, rejected.toString())).isZero();
        assertThat(afterEntry.globalIndex()).isGreaterThan(before.globalIndex() + 1);
        assertThat(afterEntry.position()).isGreaterThan(before.position());
    }

    /**
     * A writer whose transaction stays open holds the line: the chain waits for it, however long,
     * then witnesses its event in its place (before events of later transactions) instead of
     * skipping it. The hold is {@code -Dverity.test.late-commit} (default 4s; the case is 30s).
     */
    @Test
    void chain_waitsForAnOpenWriteTransaction_andChainsItsEventInItsPlace_whenItCommitsLate() throws Exception {
        Duration hold = Duration.parse(System.getProperty("verity.test.late-commit", "PT4S"));
        awaitChained(appendTask());
        UUID slowTask = UUID.randomUUID();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        CompletableFuture<Void> slowWriter = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            eventStreams.append(tenant, TaskEvents.created(slowTask, tenant, UUID.randomUUID()));
            appended.countDown();
            try {
                commit.await(hold.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        StoredEvent fast;
        try {
            assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();
            fast = appendTask();
            long until = System.nanoTime() + hold.toNanos();
            while (System.nanoTime() < until) {
                chainer.chain();
                assertThat(entryFor(fast.globalIndex())).as("chained past an open write transaction").isEmpty();
                Thread.sleep(200);
            }
        } finally {
            commit.countDown();
            slowWriter.get(10, TimeUnit.SECONDS);
        }
        StoredEvent slow = stored(slowTask);

        LedgerEntry fastEntry = awaitChained(fast);

        LedgerEntry slowEntry = entryFor(slow.globalIndex()).orElseThrow();
        assertThat(slowEntry.position()).isEqualTo(fastEntry.position() - 1);
        assertThat(fastEntry.hash()).isEqualTo(LedgerHash.next(slowEntry.hash(), fast));
    }

    /**
     * Chain order is the writers' transaction order: an event of an older transaction that took
     * its global index later still comes first, and verification agrees.
     */
    @Test
    void chain_ordersByWritingTransaction_thenGlobalIndex() throws Exception {
        awaitChained(appendTask());
        UUID olderTask = UUID.randomUUID();
        CountDownLatch begun = new CountDownLatch(1);
        CountDownLatch append = new CountDownLatch(1);
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        AtomicLong olderXid = new AtomicLong();
        CompletableFuture<Void> older = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            olderXid.set(owner.queryForObject("SELECT pg_current_xact_id()::text::bigint", Long.class));
            begun.countDown();
            try {
                append.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            eventStreams.append(tenant, TaskEvents.created(olderTask, tenant, UUID.randomUUID()));
        }));
        StoredEvent younger;
        try {
            assertThat(begun.await(10, TimeUnit.SECONDS)).isTrue();
            younger = appendTask();
        } finally {
            append.countDown();
            older.get(10, TimeUnit.SECONDS);
        }
        StoredEvent olderEvent = stored(olderTask);
        assertThat(olderEvent.globalIndex()).isGreaterThan(younger.globalIndex());
        assertThat(olderEvent.xid()).as("the column default records the writing transaction under Axon's insert")
                                    .isEqualTo(olderXid.get()).isLessThan(younger.xid());

        LedgerEntry youngerEntry = awaitChained(younger);

        LedgerEntry olderEntry = entryFor(olderEvent.globalIndex()).orElseThrow();
        assertThat(olderEntry.position()).isLessThan(youngerEntry.position());
        assertThat(olderEntry.xid()).isEqualTo(olderEvent.xid());
        assertThat(api().post("/api/v1/audit/ledger/verify", auditToken(), null).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void chain_doesNothing_whileAnotherChainerHoldsTheLock() throws Exception {
        StoredEvent event = appendTask();

        withChainerPaused(() -> {
            assertThat(chainer.chain()).isZero();
            assertThat(entryFor(event.globalIndex())).isEmpty();
        });

        awaitChained(event);
    }

    @Test
    void ledger_refusesUpdatesDeletesAndTruncation() {
        LedgerEntry entry = awaitChained(appendTask());

        assertThatThrownBy(() -> owner.update("UPDATE event_store.ledger SET hash = ? WHERE position = ?",
                                              new byte[32], entry.position()))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> owner.update("DELETE FROM event_store.ledger WHERE position = ?", entry.position()))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> owner.execute("TRUNCATE event_store.ledger"))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("append-only");
    }
}
