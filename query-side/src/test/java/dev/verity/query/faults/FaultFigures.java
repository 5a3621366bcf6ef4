package dev.verity.query.faults;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What became of a scenario's operations, counted from the event store (what is stored) and the
 * query API (what is visible), never from the apps' own account of it.
 *
 * @param acknowledged answered 2xx with an id and a version
 * @param stored       acknowledged, and their one event is in the event store at that version
 * @param visible      acknowledged, and the query API shows their effect at that version
 * @param lost         acknowledged, but not stored or not visible
 * @param duplicated   operations (one {@code Idempotency-Key} each) with more than one event
 * @param falseAcknowledgements answered 2xx without an id and a version
 * @param unresolved   never answered 2xx within the clients' retry window
 * @param abandoned    sent without {@code Idempotency-Key}, answered non-2xx, not retried
 * @param unacknowledgedStored  operations with an event although no 2xx named it (not an error:
 *                              their client gave up, or was answered falsely)
 */
record FaultFigures(String scenario, int operations, int acknowledged, int stored, int visible, int lost,
                    int duplicated, int falseAcknowledgements, int unresolved, int abandoned, int unacknowledgedStored,
                    List<String> examples) {

    private record Effect(String aggregate, long sequence, String stepId) {
    }

    static FaultFigures measure(String scenario, String keyPrefix, List<Operation> operations, ScratchPostgres database,
                                FaultPlatform platform, String queryApi, String readToken, Duration visibilityTimeout)
            throws SQLException, InterruptedException {
        Map<String, List<Effect>> effects = effects(database, keyPrefix);
        Map<UUID, JsonNode> tasks = visibleTasks(operations, platform, queryApi, readToken, visibilityTimeout);
        int acknowledged = 0;
        int stored = 0;
        int visible = 0;
        int lost = 0;
        int duplicated = 0;
        int falseAcknowledgements = 0;
        int unresolved = 0;
        int abandoned = 0;
        int unacknowledgedStored = 0;
        List<String> examples = new ArrayList<>();
        for (Operation operation : operations) {
            List<Effect> found = effects.getOrDefault(operation.key, List.of());
            if (found.size() > 1) {
                duplicated++;
                example(examples, operation.key + " has " + found.size() + " events: " + found);
            }
            if (operation.falseAcknowledgement) {
                falseAcknowledgements++;
                example(examples, operation.key + " (" + operation.kind + (operation.idempotent ? "" : ", no key")
                                  + ") answered 2xx without id and version; events: " + found);
            }
            if (operation.unresolved) {
                unresolved++;
                example(examples, operation.key + " never answered 2xx in " + operation.attempts + " attempts");
            }
            abandoned += operation.abandoned ? 1 : 0;
            if (!operation.acknowledged()) {
                unacknowledgedStored += found.isEmpty() ? 0 : 1;
                continue;
            }
            acknowledged++;
            boolean isStored = found.stream().anyMatch(effect -> matches(operation, effect));
            boolean isVisible = isVisible(operation, tasks.get(operation.task()));
            stored += isStored ? 1 : 0;
            visible += isVisible ? 1 : 0;
            if (!isStored || !isVisible) {
                lost++;
                example(examples, operation.key + " acknowledged as " + operation.ackId + " v" + operation.ackVersion
                                  + (isStored ? "" : ", not stored (events: " + found + ")")
                                  + (isVisible ? "" : ", not visible"));
            }
        }
        return new FaultFigures(scenario, operations.size(), acknowledged, stored, visible, lost, duplicated,
                                falseAcknowledgements, unresolved, abandoned, unacknowledgedStored, examples);
    }

    String line() {
        return String.format("faults[%s]: %d acknowledged, %d stored, %d visible, %d lost, %d duplicated"
                             + " (%d operations, %d false acknowledgements, %d unresolved, %d abandoned without"
                             + " a key, %d stored without acknowledgement)",
                             scenario, acknowledged, stored, visible, lost, duplicated, operations,
                             falseAcknowledgements, unresolved, abandoned, unacknowledgedStored);
    }

    private static void example(List<String> examples, String example) {
        if (examples.size() < 10) {
            examples.add(example);
        }
    }

    private static boolean matches(Operation operation, Effect effect) {
        return operation.task().toString().equals(effect.aggregate())
               && effect.sequence() == operation.ackVersion
               && (operation.kind == Operation.Kind.CREATE_TASK || operation.ackId.toString().equals(effect.stepId()));
    }

    private static boolean isVisible(Operation operation, JsonNode task) {
        if (task == null || task.get("version").asLong() < operation.ackVersion) {
            return false;
        }
        if (operation.kind == Operation.Kind.CREATE_TASK) {
            return operation.key.equals(task.get("title").asString());
        }
        for (JsonNode step : task.get("steps")) {
            if (operation.ackId.toString().equals(step.get("id").asString())
                && operation.key.equals(step.get("action").asString())) {
                return true;
            }
        }
        return false;
    }

    /** Every task-created and step-added event whose marker (title, action) carries the prefix. */
    private static Map<String, List<Effect>> effects(ScratchPostgres database, String keyPrefix) throws SQLException {
        Map<String, List<Effect>> effects = new HashMap<>();
        String sql = """
                select aggregate_identifier, sequence_number, payload_type, convert_from(payload, 'UTF8')
                from event_store.domain_event_entry
                where (payload_type like '%TaskCreated' or payload_type like '%StepAdded')
                  and position(? in convert_from(payload, 'UTF8')) > 0
                """;
        try (Connection connection = database.connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, keyPrefix);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    JsonNode payload = FaultPlatform.JSON.readTree(rows.getString(4));
                    boolean created = rows.getString(3).endsWith("TaskCreated");
                    String marker = payload.get(created ? "title" : "action").asString();
                    String stepId = created ? null : payload.get("stepId").asString();
                    effects.computeIfAbsent(marker, m -> new ArrayList<>())
                           .add(new Effect(rows.getString(1), rows.getLong(2), stepId));
                }
            }
        }
        return effects;
    }

    /**
     * Each acknowledged task read once at the highest version acknowledged on it, waiting (within
     * the timeout) for the read model to get there; a task it never shows is left out.
     */
    private static Map<UUID, JsonNode> visibleTasks(List<Operation> operations, FaultPlatform platform, String queryApi,
                                                    String readToken, Duration timeout) throws InterruptedException {
        Map<UUID, Long> versions = new LinkedHashMap<>();
        for (Operation operation : operations) {
            if (operation.acknowledged()) {
                versions.merge(operation.task(), operation.ackVersion, Math::max);
            }
        }
        Instant deadline = Instant.now().plus(timeout);
        Map<UUID, JsonNode> tasks = new HashMap<>();
        for (Map.Entry<UUID, Long> entry : versions.entrySet()) {
            String url = queryApi + "/tasks/" + entry.getKey() + "?minVersion=" + entry.getValue();
            do {
                try {
                    FaultPlatform.Reply reply = platform.get(readToken, url);
                    if (reply.status() == 200) {
                        tasks.put(entry.getKey(), reply.json());
                        break;
                    }
                } catch (IOException queryNodeNotAnswering) {
                    // retried until the deadline
                }
                Thread.sleep(200);
            } while (Instant.now().isBefore(deadline));
        }
        return tasks;
    }
}
