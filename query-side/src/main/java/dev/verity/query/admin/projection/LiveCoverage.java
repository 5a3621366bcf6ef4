package dev.verity.query.admin.projection;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.async.SequencingPolicy;

import java.util.Map;
import java.util.Objects;

/**
 * Which events a stopped live processor has handled, judged the way the processor judges it: an
 * event belongs to the segment its sequence identifier (the aggregate) hashes to, and that
 * segment has handled it when the segment's token is at or past the event's global index and
 * does not list it as a gap. Segments can stand at different positions, so a single index would
 * not do.
 */
final class LiveCoverage {

    private final Map<Integer, TrackingToken> tokens;
    private final Segment[] segments;
    private final SequencingPolicy<? super EventMessage<?>> sequencing;

    LiveCoverage(Map<Integer, TrackingToken> tokens, SequencingPolicy<? super EventMessage<?>> sequencing) {
        this.tokens = tokens;
        this.segments = Segment.computeSegments(tokens.keySet().stream().mapToInt(Integer::intValue).toArray());
        this.sequencing = sequencing;
    }

    /** The furthest any segment has got; events beyond it are handled by none. */
    long highestIndex() {
        return tokens.values().stream()
                     .filter(Objects::nonNull)
                     .mapToLong(token -> token.position().orElse(0))
                     .max()
                     .orElse(0);
    }

    /** Where the slowest segment stands; every event up to it is handled (bar gaps). */
    long lowestIndex() {
        return ProcessorTokens.lowestPosition(tokens).orElse(0);
    }

    boolean covers(TrackedEventMessage<?> event) {
        Object sequence = sequencing.getSequenceIdentifierFor(event);
        int hash = Objects.hashCode(sequence == null ? event.getIdentifier() : sequence);
        long index = event.trackingToken().position().orElse(0);
        for (Segment segment : segments) {
            if (segment.matches(hash)) {
                return covered(tokens.get(segment.getSegmentId()), index);
            }
        }
        return false;
    }

    private static boolean covered(TrackingToken token, long index) {
        if (token instanceof GapAwareTrackingToken gapAware) {
            return index <= gapAware.getIndex() && !gapAware.getGaps().contains(index);
        }
        return token != null && token.position().orElse(0) >= index;
    }
}
