package dev.verity.query.admin.projection;

import dev.verity.query.platform.nodes.QueryNodes;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A streaming processor's tracking tokens as Axon's {@code JdbcTokenStore} keeps them in
 * {@code event_store.token_entry}: one row per segment, the token serialized by the same
 * serializer (a {@code GapAwareTrackingToken} is {@code {"index":61,"gaps":[]}}). Read without
 * claiming, so looking never disturbs the processor; written only while the processor is stopped.
 */
@Component
class ProcessorTokens {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final TokenStore tokenStore;
    private final QueryNodes nodes;

    ProcessorTokens(JdbcTemplate jdbc, Serializer serializer, TokenStore tokenStore, QueryNodes nodes) {
        this.jdbc = jdbc;
        this.nodes = nodes;
        this.serializer = serializer;
        this.tokenStore = tokenStore;
    }

    /** Token per segment; a segment that has processed nothing yet maps to null. */
    Map<Integer, TrackingToken> read(String processorName) {
        Map<Integer, TrackingToken> tokens = new TreeMap<>();
        jdbc.query("SELECT segment, token, token_type FROM event_store.token_entry WHERE processor_name = ?",
                   rs -> {
                       byte[] token = rs.getBytes("token");
                       String type = rs.getString("token_type");
                       tokens.put(rs.getInt("segment"), token == null ? null : deserialize(token, type));
                   }, processorName);
        return tokens;
    }

    private TrackingToken deserialize(byte[] token, String type) {
        return serializer.deserialize(
                new SimpleSerializedObject<>(token, byte[].class, new SimpleSerializedType(type, null)));
    }

    /**
     * The lowest position over the segments: every event up to it has been seen by all segments
     * (bar gaps). Empty when the processor has no tokens yet; 0 when a segment has seen nothing.
     */
    static OptionalLong lowestPosition(Map<Integer, TrackingToken> tokens) {
        return tokens.values().stream()
                     .mapToLong(token -> token == null ? 0 : token.position().orElse(0))
                     .min();
    }

    /**
     * Moves every segment of the processor to {@code token}, in the caller's transaction. Refuses
     * when a segment is claimed: then a processor (here or on another node) is still running and
     * would overwrite the token with its own. A claim older than the token store's claim timeout
     * no longer counts (the pause took it away). The segments stay fenced by this node until it
     * resumes the processor ({@link QueryNodes#resume}).
     */
    void moveAll(String processorName, TrackingToken token) {
        List<Map<String, Object>> segments = jdbc.queryForList(
                "SELECT segment FROM event_store.token_entry WHERE processor_name = ? ORDER BY segment FOR UPDATE",
                processorName);
        if (segments.isEmpty()) {
            tokenStore.initializeTokenSegments(processorName, 1, token);
            return;
        }
        nodes.liveClaim(processorName).ifPresent(claim -> {
            throw new IllegalStateException("Processor " + processorName + ": " + claim + "; it must be stopped first");
        });
        SerializedObject<byte[]> serialized = token == null ? null : serializer.serialize(token, byte[].class);
        // Fenced, not released: a starved node that still believes it owns a segment would claim an
        // unowned one back on its next token store and write its old batch over the moved token.
        jdbc.update("UPDATE event_store.token_entry SET token = ?, token_type = ?, timestamp = ?, owner = ?"
                    + " WHERE processor_name = ?",
                    serialized == null ? null : serialized.getData(),
                    serialized == null ? null : serialized.getType().getName(),
                    nodes.fenceTimestamp(), nodes.fence(), processorName);
    }
}
