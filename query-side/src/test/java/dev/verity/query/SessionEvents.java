package dev.verity.query;

import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent.ObligationAdded;
import dev.verity.events.session.SessionEvent.ObligationEmbeddingSet;
import dev.verity.events.session.SessionEvent.ObligationStatusChanged;
import dev.verity.events.session.SessionEvent.SessionStarted;
import dev.verity.events.session.SessionPhase;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** Session events as the command side would emit them, for query-side tests. */
public final class SessionEvents {

    public static final int DIMENSIONS = 1536;

    private SessionEvents() {
    }

    public static SessionStarted started(UUID sessionId, UUID tenantId, UUID projectId) {
        return new SessionStarted(sessionId, tenantId, projectId, null, EventStreams.ACTOR_ID, SessionPhase.OPENING);
    }

    public static ObligationAdded added(UUID sessionId, String key, String completeness, String... dependencies) {
        return new ObligationAdded(sessionId, UUID.randomUUID(), key, "Learn " + key, "direct_question", "text",
                                   List.of(dependencies), "objective", "objective", null, "pool-1", 5, "profile",
                                   "profile." + key, "answered", null, "rephrase", 3, null, 0,
                                   new BigDecimal(completeness));
    }

    public static ObligationStatusChanged changed(UUID sessionId, String key, ObligationStatus from,
                                                  ObligationStatus to, String completeness) {
        return new ObligationStatusChanged(sessionId, key, from, to, null,
                                           to == ObligationStatus.SATISFIED ? 0 : null, 0, new BigDecimal(completeness));
    }

    public static ObligationEmbeddingSet embedding(UUID sessionId, String key, float[] vector) {
        return new ObligationEmbeddingSet(sessionId, key, vector);
    }

    /** A random unit-free vector with a fixed seed: tests stay repeatable. */
    public static float[] vector(long seed) {
        Random random = new Random(seed);
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) random.nextGaussian();
        }
        return vector;
    }

    /** {@code base} moved a little: its nearest neighbour among unrelated vectors. */
    public static float[] near(float[] base, long seed, double spread) {
        Random random = new Random(seed);
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) (base[i] + spread * random.nextGaussian());
        }
        return vector;
    }
}
