package dev.verity.query.stream;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Event ids, and what a reconnecting client's {@code Last-Event-ID} means.
 * <p>
 * Every event's id is the stream's whole position, not a counter: the topics' fingerprint and,
 * for each record topic in order, the last version sent ({@code _} for none yet), e.g.
 * {@code 3f9a01c2-12,_,4}. Any query node can read it back without remembering the stream, so a
 * client reconnecting to another node resumes as well as to the same one: a record is sent again
 * only when its current version is newer than the id says. An id of other topics (another
 * fingerprint), or one that is not of this shape, is ignored as if absent: the stream starts over
 * with every record's current version. Projection status has no position; a stream always starts
 * with each projection's current status.
 */
final class Resume {

    static final long NONE = -1;
    private static final Pattern SHAPE = Pattern.compile("[0-9a-f]{8}-(|(_|\\d{1,18})(,(_|\\d{1,18}))*)");

    private Resume() {
    }

    static String id(String fingerprint, long[] versions) {
        StringBuilder id = new StringBuilder(fingerprint).append('-');
        for (int i = 0; i < versions.length; i++) {
            if (i > 0) {
                id.append(',');
            }
            id.append(versions[i] == NONE ? "_" : Long.toString(versions[i]));
        }
        return id.toString();
    }

    /** The versions a client already has, one per record topic; {@link #NONE} where unknown. */
    static long[] versions(String lastEventId, Topics topics) {
        long[] versions = new long[topics.records().size()];
        Arrays.fill(versions, NONE);
        if (lastEventId == null || lastEventId.length() > 20 * (versions.length + 1)
            || !SHAPE.matcher(lastEventId).matches() || !lastEventId.startsWith(topics.fingerprint() + "-")) {
            return versions;
        }
        String list = lastEventId.substring(topics.fingerprint().length() + 1);
        String[] parts = list.isEmpty() ? new String[0] : list.split(",");
        if (parts.length != versions.length) {
            return versions;
        }
        for (int i = 0; i < parts.length; i++) {
            versions[i] = "_".equals(parts[i]) ? NONE : Long.parseLong(parts[i]);
        }
        return versions;
    }
}
