package dev.verity.query.admin.projection;

import dev.verity.query.platform.web.ProblemException;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One rebuild or verification at a time, platform-wide. Both replay the whole event store and
 * pause live processors, and a verification must never compare tables that a rebuild is about
 * to swap; a second request is refused with 409 rather than queued behind a long replay.
 */
@Component
class MaintenanceLock {

    /** What holds the lock; {@code code} is the problem code a refused request gets. */
    private record Holder(String code, String description) {
    }

    private final AtomicReference<Holder> holder = new AtomicReference<>();

    /** @throws ProblemException 409 with the holder's code when another operation is running */
    void acquire(String code, String description) {
        Holder wanted = new Holder(code, description);
        Holder current = holder.compareAndExchange(null, wanted);
        if (current != null) {
            throw ProblemException.conflict(current.code(),
                                            current.description() + " is running; try again when it is done");
        }
    }

    void release() {
        holder.set(null);
    }
}
