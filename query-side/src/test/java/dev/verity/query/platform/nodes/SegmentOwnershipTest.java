package dev.verity.query.platform.nodes;

import dev.verity.query.QuerySideTest;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The query side's token store lets only a segment's recorded owner store its token. Axon's own
 * would let a node that lost its claim (starved past the claim timeout, the segment taken over and
 * released again by another node) claim the segment back while committing its old batch, putting
 * the stored token behind the rows the other node had committed.
 */
class SegmentOwnershipTest extends QuerySideTest {

    private static final String PROCESSOR = "ownership-probe";

    @Autowired
    private TokenStore tokenStore;

    @Autowired
    private Serializer serializer;

    @BeforeEach
    void claimTheOnlySegment() {
        tokenStore.initializeTokenSegments(PROCESSOR, 1);
        tokenStore.fetchToken(PROCESSOR, 0);
    }

    @AfterEach
    void forgetTheProbe() {
        owner.update("DELETE FROM event_store.token_entry WHERE processor_name = ?", PROCESSOR);
    }

    @Test
    void theOwner_storesItsToken() {
        tokenStore.storeToken(new GlobalSequenceTrackingToken(10), PROCESSOR, 0);

        assertThat(storedToken()).isEqualTo(new GlobalSequenceTrackingToken(10));
    }

    @Test
    void aNodeWhoseSegmentWasTakenOverAndReleased_cannotStoreItsOlderToken() {
        // Another node took the expired claim over, went on to position 20, and released the segment.
        takeOverAndRelease(new GlobalSequenceTrackingToken(20));

        assertThatThrownBy(() -> tokenStore.storeToken(new GlobalSequenceTrackingToken(10), PROCESSOR, 0))
                .isInstanceOf(UnableToClaimTokenException.class)
                .hasMessageContaining("does not own");
        assertThat(storedToken()).isEqualTo(new GlobalSequenceTrackingToken(20));
        assertThat(owner.queryForObject("SELECT owner FROM event_store.token_entry WHERE processor_name = ?",
                                        String.class, PROCESSOR)).isNull();
    }

    @Test
    void aNodeWhoseSegmentIsOwnedByAnotherWithAnExpiredClaim_cannotStoreEither() {
        owner.update("UPDATE event_store.token_entry SET owner = 'other-node@test', timestamp = '2000-01-01T00:00:00Z'"
                     + " WHERE processor_name = ?", PROCESSOR);

        assertThatThrownBy(() -> tokenStore.storeToken(new GlobalSequenceTrackingToken(10), PROCESSOR, 0))
                .isInstanceOf(UnableToClaimTokenException.class);
        assertThat(owner.queryForObject("SELECT owner FROM event_store.token_entry WHERE processor_name = ?",
                                        String.class, PROCESSOR)).isEqualTo("other-node@test");
    }

    @Test
    void aReleasedSegment_isClaimedAgainThroughFetchToken_thenStored() {
        takeOverAndRelease(new GlobalSequenceTrackingToken(20));

        assertThat(tokenStore.fetchToken(PROCESSOR, 0)).isEqualTo(new GlobalSequenceTrackingToken(20));
        tokenStore.storeToken(new GlobalSequenceTrackingToken(25), PROCESSOR, 0);

        assertThat(storedToken()).isEqualTo(new GlobalSequenceTrackingToken(25));
    }

    private void takeOverAndRelease(TrackingToken token) {
        SerializedObject<byte[]> serialized = serializer.serialize(token, byte[].class);
        owner.update("UPDATE event_store.token_entry SET owner = NULL, token = ?, token_type = ? WHERE processor_name = ?",
                     serialized.getData(), serialized.getType().getName(), PROCESSOR);
    }

    private TrackingToken storedToken() {
        return owner.query("SELECT token, token_type FROM event_store.token_entry WHERE processor_name = ?",
                           rs -> {
                               rs.next();
                               return serializer.deserialize(new SimpleSerializedObject<>(
                                       rs.getBytes("token"), byte[].class,
                                       new SimpleSerializedType(rs.getString("token_type"), null)));
                           }, PROCESSOR);
    }
}
