package dev.verity.query.admin.projection;

import dev.verity.query.platform.web.ProblemException;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One rebuild or platform-wide verification at a time. Both replay the whole event store and
 * pause live processors, and a verification must never compare tables that a rebuild is about
 * to swap; a second request is refused with 409 rather than queued behind a long replay.
 * Tenant verifications pause nothing, so any number of them share the lock; they still exclude a
 * rebuild, whose swap would replace the tables they compare.
 */
@Component
class MaintenanceLock {

    /** What holds the lock; {@code code} is the problem code a refused request gets; {@code shares} 0 is exclusive. */
    private record Holder(String code, String description, int shares) {
    }

    private final AtomicReference<Holder> holder = new AtomicReference<>();

    /** @throws ProblemException 409 with the holder's code when another operation is running */
    void acquire(String code, String description) {
        Holder current = holder.compareAndExchange(null, new Holder(code, description, 0));
        if (current != null) {
            throw busy(current);
        }
    }

    /** Holds the lock alongside other holders of the same {@code code}; release each with {@link #releaseShared}. */
    void acquireShared(String code, String description) {
        while (true) {
            Holder current = holder.get();
            if (current != null && (current.shares() == 0 || !current.code().equals(code))) {
                throw busy(current);
            }
            Holder next = current == null ? new Holder(code, description, 1)
                                          : new Holder(code, description, current.shares() + 1);
            if (holder.compareAndSet(current, next)) {
                return;
            }
        }
    }

    void release() {
        holder.set(null);
    }

    void releaseShared() {
        holder.updateAndGet(current -> current == null || current.shares() <= 1
                                       ? null : new Holder(current.code(), current.description(), current.shares() - 1));
    }

    private static ProblemException busy(Holder current) {
        return ProblemException.conflict(current.code(), current.description() + " is running; try again when it is done");
    }
}
