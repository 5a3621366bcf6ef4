package dev.verity.query.audit.ledger;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte layout is a contract with auditors. The expected values were computed outside Java
 * (Python's hashlib over the layout in docs/ledger.md), so this pins the layout, not just our code.
 */
class LedgerHashTest {

    private static final String AGGREGATE = "0190f5c2-6a1b-7000-8000-00000000a001";

    private static StoredEvent event(String eventId, long sequence, String type, String payloadType, String revision,
                                     String payload, String metaData, String timeStamp) {
        return new StoredEvent(1, eventId, AGGREGATE, sequence, type, payloadType, revision, bytes(payload),
                               bytes(metaData), timeStamp, 0);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static final StoredEvent CREATED = event("7f1c2a9e-0000-4000-8000-000000000001", 0, "Task",
            "dev.verity.events.task.TaskEvent$TaskCreated", null, "{\"title\":\"Review the spec\"}",
            "{\"tenantId\":\"t1\"}", "2030-01-31T17:00:00.000Z");

    @Test
    void next_matchesTheDocumentedLayout_computedIndependently() {
        byte[] first = LedgerHash.next(LedgerHash.genesis(), CREATED);
        byte[] second = LedgerHash.next(first, event("7f1c2a9e-0000-4000-8000-000000000002", 1, null,
                "dev.verity.events.task.TaskEvent$TaskStarted", "2", "{}", null, "2030-01-31T17:00:01.000Z"));

        assertThat(LedgerHash.hex(first)).isEqualTo("2cff42ae4bc2b5148bfb4b4c62609556d76eae993791de365eb5ddd55a118721");
        assertThat(LedgerHash.hex(second)).isEqualTo("dcb094bfe5d9049f0b997855bc3c3eab7c3340c2c139b163def7e9e5dce0b4ab");
    }

    @Test
    void next_distinguishesNullFromEmpty() {
        StoredEvent withNullMetaData = event("e", 0, "Task", "T", null, "{}", null, "t");
        StoredEvent withEmptyMetaData = event("e", 0, "Task", "T", null, "{}", "", "t");

        assertThat(LedgerHash.next(LedgerHash.genesis(), withNullMetaData))
                .isNotEqualTo(LedgerHash.next(LedgerHash.genesis(), withEmptyMetaData));
    }

    @Test
    void next_distinguishesABytePassedFromOneFieldToTheNext() {
        StoredEvent before = event("e", 0, "Task", "T", "1", "{}", "{}", "t");
        StoredEvent after = event("e", 0, "Tas", "kT", "1", "{}", "{}", "t");

        assertThat(LedgerHash.next(LedgerHash.genesis(), before))
                .isNotEqualTo(LedgerHash.next(LedgerHash.genesis(), after));
    }

    @Test
    void next_dependsOnThePreviousHash() {
        byte[] previous = LedgerHash.genesis();
        previous[31] = 1;

        assertThat(LedgerHash.next(previous, CREATED)).isNotEqualTo(LedgerHash.next(LedgerHash.genesis(), CREATED));
    }

    @Test
    void isHex_acceptsOnlyA64CharacterHexString() {
        assertThat(LedgerHash.isHex("AB".repeat(32))).isTrue();
        assertThat(LedgerHash.isHex("ab".repeat(32))).isTrue();
        assertThat(LedgerHash.isHex("ab".repeat(31))).isFalse();
        assertThat(LedgerHash.isHex("zz".repeat(32))).isFalse();
        assertThat(LedgerHash.isHex(null)).isFalse();
    }
}
