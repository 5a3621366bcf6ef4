package dev.verity.command.platform.deadline;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code verity.deadlines.*}: where db-scheduler keeps deadlines (the Flyway table; a test may
 * point a context at a copy of its own), how often each command node looks for due ones (so a
 * deadline fires at most about this late), how many run at once, and how long a stopping node
 * waits for running ones.
 */
@ConfigurationProperties("verity.deadlines")
public record DeadlineProperties(String table, Duration pollingInterval, Integer threads, Duration shutdownMaxWait) {

    public DeadlineProperties {
        table = table == null ? "event_store.scheduled_tasks" : table;
        pollingInterval = pollingInterval == null ? Duration.ofSeconds(1) : pollingInterval;
        threads = threads == null ? 2 : threads;
        shutdownMaxWait = shutdownMaxWait == null ? Duration.ofSeconds(10) : shutdownMaxWait;
    }
}
