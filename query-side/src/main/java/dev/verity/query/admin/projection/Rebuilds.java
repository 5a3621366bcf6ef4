package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.web.ProblemException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs rebuilds in the background on one thread, one at a time, and remembers the last rebuild
 * of each projection so its outcome can be read after it finished (until the app restarts).
 */
@Component
class Rebuilds implements DisposableBean {

    static final String IN_PROGRESS = "rebuild_in_progress";

    private final Rebuilder rebuilder;
    private final MaintenanceLock lock;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, RebuildProgress> latest = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "projection-rebuild");
        thread.setDaemon(true);
        return thread;
    });

    Rebuilds(Rebuilder rebuilder, MaintenanceLock lock) {
        this.rebuilder = rebuilder;
        this.lock = lock;
    }

    /** @throws ProblemException 409 while another rebuild or a verification is running */
    RebuildProgress start(ProjectionDefinition projection) {
        lock.acquire(IN_PROGRESS, "A rebuild of " + projection.name());
        RebuildProgress progress = new RebuildProgress(projection.name(), clock);
        RebuildProgress previous = latest.put(projection.name(), progress);
        try {
            executor.execute(() -> {
                try {
                    rebuilder.rebuild(projection, progress);
                } finally {
                    lock.release();
                }
            });
        } catch (RejectedExecutionException e) {
            restore(projection.name(), previous);
            lock.release();
            throw e;
        }
        return progress;
    }

    private void restore(String projection, RebuildProgress previous) {
        if (previous == null) {
            latest.remove(projection);
        } else {
            latest.put(projection, previous);
        }
    }

    Optional<RebuildProgress> latest(String projection) {
        return Optional.ofNullable(latest.get(projection));
    }

    /**
     * Asks the running rebuild to stop; it notices between two events and cleans up. A rebuild
     * already inside its swap transaction completes.
     *
     * @throws ProblemException 409 {@code rebuild_not_running} when there is nothing to cancel
     */
    RebuildProgress cancel(String projection) {
        RebuildProgress progress = latest.get(projection);
        if (progress == null || !progress.state().active()) {
            throw ProblemException.conflict("rebuild_not_running", "No rebuild of " + projection + " is running");
        }
        progress.requestCancel();
        return progress;
    }

    @Override
    public void destroy() throws InterruptedException {
        latest.values().forEach(RebuildProgress::requestCancel);
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
    }
}
