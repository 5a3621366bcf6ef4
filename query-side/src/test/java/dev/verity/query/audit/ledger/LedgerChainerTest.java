package dev.verity.query.audit.ledger;

import dev.verity.query.TaskEvents;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    @Test
    void chain_stopsBeforeAYoungHole_thenSkipsItForGood_onceOlderThanTheGrace() {
        StoredEvent before = appendTask();
        LedgerEntry beforeEntry = awaitChained(before);
        long hole = burnGlobalIndex();
        StoredEvent after = appendTask();

        chainer.chain();

        assertThat(entryFor(after.globalIndex())).isEmpty();
        assertThat(owner.queryForObject("SELECT max(global_index) FROM event_store.ledger", Long.class)).isLessThan(hole);

        LedgerEntry afterEntry = awaitChained(after);

        assertThat(entryFor(hole)).isEmpty();
        assertThat(afterEntry.position()).isEqualTo(beforeEntry.position() + 1);
        assertThat(afterEntry.hash()).isEqualTo(LedgerHash.next(beforeEntry.hash(), after));
    }

    @Test
    void chain_passesAnOldHole_atOnce() {
        StoredEvent before = appendTask();
        awaitChained(before);
        long hole = burnGlobalIndex();
        StoredEvent after = appendTaskWrittenAt(Instant.now().minus(LEDGER_GAP_GRACE.multipliedBy(2)));

        await().atMost(Duration.ofSeconds(2)).until(() -> {
            chainer.chain();
            return entryFor(after.globalIndex()).isPresent();
        });
        assertThat(entryFor(hole)).isEmpty();
    }

    @Test
    void chain_waitsForASlowWriterWithinTheGrace_andChainsItsEventInGlobalOrder() throws Exception {
        awaitChained(appendTask());
        UUID slowTask = UUID.randomUUID();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        CompletableFuture<Void> slowWriter = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            eventStreams.append(tenant, TaskEvents.created(slowTask, tenant, UUID.randomUUID()));
            appended.countDown();
            try {
                commit.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        StoredEvent fast;
        try {
            assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();
            fast = appendTask();

            chainer.chain();

            assertThat(entryFor(fast.globalIndex())).isEmpty();
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
