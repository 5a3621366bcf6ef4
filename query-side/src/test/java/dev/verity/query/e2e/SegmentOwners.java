package dev.verity.query.e2e;

import dev.verity.testing.TestDatabase;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/** Who claims the segments of the query side's processors, read from {@code event_store.token_entry}. */
final class SegmentOwners {

    static final List<String> PROCESSORS = List.of("tasks", "event-log");

    private SegmentOwners() {
    }

    /** Every live node holds a share of every processor's segments, the shares differing by one at most. */
    static void awaitSplit(List<String> nodes, Duration timeout) throws Exception {
        awaitOwners(owners -> {
            Map<String, Integer> counts = new HashMap<>();
            for (String owner : owners) {
                String node = owner == null ? null : nodes.stream().filter(owner::startsWith).findFirst().orElse(null);
                if (node == null) {
                    return false;
                }
                counts.merge(node, 1, Integer::sum);
            }
            return counts.size() == Math.min(nodes.size(), owners.size())
                   && counts.values().stream().mapToInt(Integer::intValue).max().orElse(0)
                      - counts.values().stream().mapToInt(Integer::intValue).min().orElse(0) <= 1;
        }, timeout);
    }

    /** Waits until the owners of each processor's segments pass {@code condition}. */
    static void awaitOwners(Predicate<Collection<String>> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, List<String>> owners = owners();
            if (owners.keySet().containsAll(PROCESSORS) && owners.values().stream().allMatch(condition)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Segment owners never settled within " + timeout + ": " + owners);
            }
            Thread.sleep(50);
        }
    }

    /** Processor name to the owner of each of its segments (null for an unclaimed one), from the token store. */
    static Map<String, List<String>> owners() throws SQLException {
        Map<String, List<String>> owners = new HashMap<>();
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT processor_name, owner FROM event_store.token_entry WHERE processor_name = ANY(?)"
                     + " ORDER BY processor_name, segment")) {
            statement.setArray(1, connection.createArrayOf("varchar", PROCESSORS.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    owners.computeIfAbsent(rows.getString(1), p -> new ArrayList<>()).add(rows.getString(2));
                }
            }
        }
        return owners;
    }

    /**
     * Pauses every processor on every node as a rebuild's swap does (a row in
     * {@code event_store.processor_pause}), until {@link #resumeAll}; returns once no segment is claimed.
     */
    static void pauseAll(Duration timeout) throws Exception {
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(
                     "INSERT INTO event_store.processor_pause (processor_name, paused_by, reason, expires_at)"
                     + " VALUES (?, 'test', 'a benchmark backlog', now() + interval '10 minutes')")) {
            for (String processor : PROCESSORS) {
                statement.setString(1, processor);
                statement.executeUpdate();
            }
        }
        awaitOwners(owners -> owners.stream().allMatch(Objects::isNull), timeout);
    }

    static void resumeAll() throws SQLException {
        try (Connection connection = connect();
             PreparedStatement statement = connection.prepareStatement(
                     "DELETE FROM event_store.processor_pause WHERE paused_by = 'test'")) {
            statement.executeUpdate();
        }
    }

    private static Connection connect() throws SQLException {
        TestDatabase.Connection database = RunningPlatform.database();
        return DriverManager.getConnection(database.url(), database.username(), database.password());
    }
}
