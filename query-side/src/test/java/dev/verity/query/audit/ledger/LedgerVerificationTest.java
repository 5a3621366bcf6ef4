package dev.verity.query.audit.ledger;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.EventStreams;
import dev.verity.query.TaskEvents;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tampering with the stored events (and the ledger) and seeing it reported where it happened,
 * through the auditor's endpoint. Every test puts the rows back before it ends.
 */
class LedgerVerificationTest extends LedgerTestSupport {

    @Autowired
    @Qualifier("eventSerializer")
    private Serializer eventSerializer;

    @Test
    void verify_isOk_onAnUntouchedStore() {
        awaitChained(appendTask());

        Response response = verify(null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("ok").asBoolean()).isTrue();
        assertThat(response.body().get("checkedThrough").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(response.body().get("firstMismatch").isNull()).isTrue();
    }

    @Test
    void verify_reportsChanged_whenOnePayloadByteIsFlipped() {
        StoredEvent event = appendTask();
        LedgerEntry entry = awaitChained(event);
        int offset = offsetOf(event, "Review the spec");
        assertThat(offset).isPositive();

        flipPayloadByte(event.globalIndex(), offset);
        try {
            assertThat(new String(storedRowPayload(event.globalIndex()), StandardCharsets.UTF_8)).contains("review the spec");

            assertMismatch(verify(null), entry.position(), event.globalIndex(), event.eventIdentifier(), "changed");
        } finally {
            flipPayloadByte(event.globalIndex(), offset);
        }
        assertThat(verify(null).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void verify_reportsRemoved_whenAnEventIsDeleted() {
        StoredEvent event = appendTask();
        LedgerEntry entry = awaitChained(event);
        Map<String, Object> row = storedRow(event.globalIndex());

        deleteStoredEvent(event.globalIndex());
        try {
            assertMismatch(verify(null), entry.position(), event.globalIndex(), event.eventIdentifier(), "removed");
        } finally {
            insertRow(row);
        }
        assertThat(verify(null).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void verify_reportsInserted_whenAnEventAppearsBelowTheChainedLine() {
        long hole = burnGlobalIndex();
        // Written "long ago", so no processor waits for the hole before it and applies the planted row.
        StoredEvent next = appendTaskWrittenAt(Instant.now().minus(Duration.ofHours(1)));
        LedgerEntry nextEntry = awaitChained(next);
        assertThat(entryFor(hole)).isEmpty();
        awaitProcessorsPast(next.globalIndex());
        String plantedId = UUID.randomUUID().toString();

        // Into the chained range: the transaction of an event already chained, a global index before it.
        plantTaskCreation(next.xid(), hole, plantedId);
        try {
            assertMismatch(verify(null), nextEntry.position(), hole, plantedId, "inserted");
        } finally {
            deleteStoredEvent(hole);
        }
        assertThat(verify(null).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void verify_acceptsTheDigestAnswerAsSaved_andGoesOnToTheHead() {
        awaitChained(appendTask());
        JsonNode saved = digest().body();
        awaitChained(appendTask());

        Response response = verify(saved.toString());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("ok").asBoolean()).isTrue();
        assertThat(response.body().get("checkedThrough").asLong()).isGreaterThan(saved.get("position").asLong());
    }

    @Test
    void verify_acceptsTheGenesisDigest_andRejectsAnyOtherHashAtPositionZero() {
        Response genesis = verify(digestBody(0, "00".repeat(32)));
        Response other = verify(digestBody(0, "01" + "00".repeat(31)));

        assertThat(genesis.body().get("ok").asBoolean()).isTrue();
        assertMismatch(other, 0, null, null, "digest_mismatch");
        assertThat(other.body().get("checkedThrough").asLong()).isZero();
    }

    @Test
    void verify_reportsDigestMismatch_whenTheSavedHashNoLongerMatches() {
        LedgerEntry entry = awaitChained(appendTask());
        char[] hash = LedgerHash.hex(entry.hash()).toCharArray();
        hash[10] = hash[10] == '0' ? '1' : '0';

        Response response = verify(digestBody(entry.position(), new String(hash)));

        assertMismatch(response, entry.position(), entry.globalIndex(), entry.eventIdentifier(), "digest_mismatch");
        assertThat(response.body().get("checkedThrough").asLong()).isEqualTo(entry.position() - 1);
    }

    /**
     * Someone with write access to both tables changes an event and recomputes the ledger from it
     * on. Store and ledger agree again; only a digest kept outside the database shows the rewrite.
     */
    @Test
    void verify_catchesAConsistentRewriteOfStoreAndLedger_onlyWithADigestSavedBefore() throws Exception {
        StoredEvent event = appendTask();
        LedgerEntry entry = awaitChained(event);
        String saved = digestBody(entry.position(), LedgerHash.hex(entry.hash()));
        int offset = offsetOf(event, "Review the spec");

        withChainerPaused(() -> withLedgerWritable(() -> {
            List<LedgerEntry> original = owner.query("SELECT " + LedgerEntry.COLUMNS + " FROM event_store.ledger"
                                                     + " WHERE position >= ? ORDER BY position",
                                                     LedgerEntry::map, entry.position());
            flipPayloadByte(event.globalIndex(), offset);
            try {
                rechain(original);

                Response withoutDigest = verify(null);
                Response withDigest = verify(saved);

                assertThat(withoutDigest.body().get("ok").asBoolean()).isTrue();
                assertMismatch(withDigest, entry.position(), event.globalIndex(), event.eventIdentifier(),
                               "digest_mismatch");
            } finally {
                flipPayloadByte(event.globalIndex(), offset);
                for (LedgerEntry row : original) {
                    owner.update("UPDATE event_store.ledger SET hash = ? WHERE position = ?", row.hash(), row.position());
                }
            }
        }));
        assertThat(verify(saved).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void verify_reportsChanged_whenALedgerHashIsAltered() throws Exception {
        LedgerEntry entry = awaitChained(appendTask());
        byte[] forged = entry.hash().clone();
        forged[0] ^= 1;

        // Paused, or the chainer could link new events to the forged hash while it is the newest.
        withChainerPaused(() -> withLedgerWritable(() -> {
            owner.update("UPDATE event_store.ledger SET hash = ? WHERE position = ?", forged, entry.position());
            try {
                assertMismatch(verify(null), entry.position(), entry.globalIndex(), entry.eventIdentifier(), "changed");
            } finally {
                owner.update("UPDATE event_store.ledger SET hash = ? WHERE position = ?", entry.hash(), entry.position());
            }
        }));
        assertThat(verify(null).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void verify_reportsRemoved_whenALedgerRowIsMissing() throws Exception {
        // Not the newest row: a ledger merely shorter at its end is consistent by itself (docs/ledger.md).
        LedgerEntry missing = awaitChained(appendTask());
        awaitChained(appendTask());

        withLedgerWritable(() -> {
            owner.update("DELETE FROM event_store.ledger WHERE position = ?", missing.position());
            try {
                assertMismatch(verify(null), missing.position(), null, null, "removed");
            } finally {
                owner.update("INSERT INTO event_store.ledger (position, xid, global_index, event_identifier, hash,"
                                     + " chained_at) VALUES (?, ?::text::xid8, ?, ?, ?, ?)", missing.position(),
                             missing.xid(), missing.globalIndex(),
                             missing.eventIdentifier(), missing.hash(), Timestamp.from(missing.chainedAt()));
            }
        });
        assertThat(verify(null).body().get("ok").asBoolean()).isTrue();
    }

    private void rechain(List<LedgerEntry> entries) {
        byte[] hash = entryAt(entries.get(0).position() - 1).map(LedgerEntry::hash).orElseGet(LedgerHash::genesis);
        for (LedgerEntry entry : entries) {
            StoredEvent event = owner.queryForObject("SELECT " + StoredEvent.COLUMNS + " FROM event_store.domain_event_entry"
                                                             + " WHERE global_index = ?", StoredEvent::map, entry.globalIndex());
            hash = LedgerHash.next(hash, event);
            owner.update("UPDATE event_store.ledger SET hash = ? WHERE position = ?", hash, entry.position());
        }
    }

    /** A valid, serialised task creation at a chosen global index, as a forger would write it. */
    private void plantTaskCreation(long xid, long globalIndex, String eventIdentifier) {
        UUID taskId = UUID.randomUUID();
        SerializedObject<byte[]> payload = eventSerializer.serialize(TaskEvents.created(taskId, tenant, UUID.randomUUID()),
                                                                     byte[].class);
        SerializedObject<byte[]> metaData = eventSerializer.serialize(EventStreams.metaData(tenant), byte[].class);
        owner.update("INSERT INTO event_store.domain_event_entry (xid, global_index, aggregate_identifier, sequence_number,"
                             + " type, event_identifier, meta_data, payload, payload_revision, payload_type, time_stamp)"
                             + " VALUES (?::text::xid8, ?, ?, 0, 'Task', ?, ?, ?, ?, ?, ?)",
                     xid, globalIndex, taskId.toString(), eventIdentifier, metaData.getData(), payload.getData(),
                     payload.getType().getRevision(), payload.getType().getName(), Instant.now().toString());
    }

    /** Byte offset of ASCII text in the stored payload (ISO-8859-1 maps each byte to one char). */
    private static int offsetOf(StoredEvent event, String text) {
        return new String(event.payload(), StandardCharsets.ISO_8859_1).indexOf(text);
    }

    private byte[] storedRowPayload(long globalIndex) {
        return owner.queryForObject("SELECT payload FROM event_store.domain_event_entry WHERE global_index = ?",
                                    byte[].class, globalIndex);
    }

    private static String digestBody(long position, String hash) {
        return "{\"position\": " + position + ", \"hash\": \"" + hash + "\"}";
    }

    private static void assertMismatch(Response response, long position, Long globalIndex, String eventIdentifier,
                                       String kind) {
        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.body();
        assertThat(body.get("ok").asBoolean()).as(body.toString()).isFalse();
        JsonNode mismatch = body.get("firstMismatch");
        assertThat(mismatch.get("kind").asString()).as(body.toString()).isEqualTo(kind);
        assertThat(mismatch.get("position").asLong()).as(body.toString()).isEqualTo(position);
        if (globalIndex == null) {
            assertThat(mismatch.get("globalIndex").isNull()).isTrue();
        } else {
            assertThat(mismatch.get("globalIndex").asLong()).isEqualTo(globalIndex);
        }
        if (eventIdentifier == null) {
            assertThat(mismatch.get("eventIdentifier").isNull()).isTrue();
        } else {
            assertThat(mismatch.get("eventIdentifier").asString()).isEqualTo(eventIdentifier);
        }
    }
}
