package dev.verity.query.admin.projection;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each event's own global index, from {@code event_store.domain_event_entry} by event identifier
 * (unique and indexed there). A tracking token cannot tell it: a {@code GapAwareTrackingToken}'s
 * index is the highest position seen, not the position of the event that carries it.
 */
@Component
class EventPositions {

    private final JdbcTemplate jdbc;

    EventPositions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** @throws IllegalStateException when an event is not in the store, which a replay of the store cannot meet */
    Map<String, Long> of(List<String> eventIdentifiers) {
        Map<String, Long> indexes = new HashMap<>();
        if (eventIdentifiers.isEmpty()) {
            return indexes;
        }
        jdbc.query(connection -> {
            var statement = connection.prepareStatement("SELECT event_identifier, global_index"
                    + " FROM event_store.domain_event_entry WHERE event_identifier = ANY (?)");
            statement.setArray(1, connection.createArrayOf("varchar", eventIdentifiers.toArray()));
            return statement;
        }, rs -> {
            indexes.put(rs.getString("event_identifier"), rs.getLong("global_index"));
        });
        if (indexes.size() != eventIdentifiers.size()) {
            throw new IllegalStateException("Events of the replay are missing from the event store");
        }
        return indexes;
    }
}
