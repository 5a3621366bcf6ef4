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
 * <p>
 * The stored tokens alone understate how far that is: a segment that has seen only other
 * segments' events stores its token only now and then, so it may stand before the head while
 * nothing beyond its token is its own. {@link #coveredThrough()} therefore counts from the events
 * actually judged: every one up to it that the store holds was covered by its segment.
 */
final class LiveCoverage {

    private final Map<Integer, TrackingToken> tokens;
    private final Segment[] segments;
    private final SequencingPolicy<? super EventMessage<?>> sequencing;
    private long firstUncovered = Long.MAX_VALUE;

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

    /**
     * The position through which every segment has handled every event: below each segment's
     * position and below its lowest gap (an append still in flight when the segment passed it).
     * Events up to here may be replayed without asking {@link #covers}, while the processor runs.
     */
    long settledIndex() {
        long settled = Long.MAX_VALUE;
        for (TrackingToken token : tokens.values()) {
            long position = token == null ? 0 : token.position().orElse(0);
            if (token instanceof GapAwareTrackingToken gapAware && !gapAware.getGaps().isEmpty()) {
                position = Math.min(position, gapAware.getGaps().first() - 1);
            }
            settled = Math.min(settled, position);
        }
        return settled == Long.MAX_VALUE ? 0 : settled;
    }

    /**
     * The position through which every stored event was handled by its segment, as far as the
     * events judged by {@link #covers} show: the furthest segment's position, or just before the
     * first event judged not handled. Call it after the replay judged everything up to
     * {@link #highestIndex()}.
     */
    long coveredThrough() {
        long highest = highestIndex();
        return firstUncovered == Long.MAX_VALUE ? highest : Math.min(highest, firstUncovered - 1);
    }

    /** @param index the event's own global index (its tracking token's may be higher) */
    boolean covers(TrackedEventMessage<?> event, long index) {
        Object sequence = sequencing.getSequenceIdentifierFor(event);
        int hash = Objects.hashCode(sequence == null ? event.getIdentifier() : sequence);
        for (Segment segment : segments) {
            if (segment.matches(hash)) {
                if (covered(tokens.get(segment.getSegmentId()), index)) {
                    return true;
                }
                break;
            }
        }
        firstUncovered = Math.min(firstUncovered, index);
        return false;
    }

    private static boolean covered(TrackingToken token, long index) {
        if (token instanceof GapAwareTrackingToken gapAware) {
            return index <= gapAware.getIndex() && !gapAware.getGaps().contains(index);
        }
        return token != null && token.position().orElse(0) >= index;
    }
}
