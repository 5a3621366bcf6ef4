package dev.verity.query.audit.history;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskEvent;
import dev.verity.events.task.TaskEvent.ActionSubmitted;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepCompleted;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskActionAdded;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.events.task.TaskEvent.TaskTargetAdded;
import dev.verity.events.task.TaskEvent.TaskUnblocked;
import dev.verity.events.task.TaskStatus;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import dev.verity.query.audit.AuditTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task's past states against what the live API really answered at the time: each event is
 * appended on its own, the live {@code GET /api/v1/tasks/{id}} response is captured once the
 * projection has applied it, and later every as-of answer must equal the captured JSON. The
 * history is built once for the class: as-of reads never change it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsOfApiTest extends AuditTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();
    private final String token = auditToken(tenant);
    /** What the live API returned at each version, indexed by version. */
    private final List<JsonNode> live = new ArrayList<>();

    @BeforeAll
    void aTaskWithALongHistory_capturedLiveAtEveryVersion() {
        UUID action = UuidV7.generate();
        UUID step = UuidV7.generate();
        List<TaskEvent> history = List.of(
                TaskEvents.created(taskId, tenant, project),
                new TaskActionAdded(taskId, action, ActionType.APPROVE_REJECT, "Approve", "Say yes",
                                    Map.of("approveLabel", "Yes"), 1),
                new TaskTargetAdded(taskId, UuidV7.generate(), TargetType.QUESTION, project, Map.of("q", 7)),
                new TaskStarted(taskId),
                new StepAdded(taskId, step, "draft"),
                new StepStarted(taskId, step, 0),
                new ActionSubmitted(taskId, action, UuidV7.generate(), "key-1", Map.of("approved", true), "alice"),
                new StepCompleted(taskId, step, "drafted"),
                new TaskAssigned(taskId, AssigneeType.USER, "bob"),
                new TaskBlocked(taskId, "legal"),
                new TaskUnblocked(taskId, TaskStatus.IN_PROGRESS),
                new TaskCompleted(taskId, "done", "bob"));
        for (TaskEvent event : history) {
            long version = eventStreams.append(tenant, event);
            awaitTaskVersion(taskId, version);
            Response response = api().get("/api/v1/tasks/" + taskId, TestTokens.read(tenant));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("version").asLong()).isEqualTo(version);
            live.add(response.body());
        }
    }

    @Test
    void asOf_returnsTheTaskAsItStood_atEveryVersion() {
        for (int version = 0; version < live.size(); version++) {
            Response response = asOf("version=" + version);

            assertThat(response.status()).as("version %d", version).isEqualTo(200);
            assertThat(response.body()).as("version %d", version).isEqualTo(live.get(version));
        }
        assertThat(live.get(2).get("targets").size()).isEqualTo(1);
        assertThat(live.get(5).get("steps").get(0).get("status").asString()).isEqualTo("executing");
        assertThat(live.get(9).get("status").asString()).isEqualTo("blocked");
    }

    @Test
    void asOf_returnsTheTaskAsItStood_atEveryInstant() {
        List<Instant> times = eventTimes();
        for (int version = 0; version < live.size(); version++) {
            Instant at = times.get(version);
            assertThat(asOf("at=" + at).body()).as("at version %d's event", version).isEqualTo(live.get(version));
            if (version + 1 < times.size()) {
                Instant justBeforeNext = times.get(version + 1).minusMillis(1);
                assertThat(asOf("at=" + justBeforeNext).body()).as("just before version %d", version + 1)
                                                              .isEqualTo(live.get(version));
            }
        }
        assertThat(asOf("at=" + Instant.now().plusSeconds(3600)).body()).isEqualTo(live.get(live.size() - 1));
    }

    @Test
    void asOf_leavesTheLiveTablesUntouched() {
        asOf("version=0");
        asOf("at=" + eventTimes().get(3));

        Response now = api().get("/api/v1/tasks/" + taskId, TestTokens.read(tenant));

        assertThat(now.body()).isEqualTo(live.get(live.size() - 1));
    }

    @Test
    void asOf_returns404_beforeTheTaskExisted() {
        assertProblem(asOf("at=" + eventTimes().get(0).minusMillis(1)), 404, "not_found");
        assertProblem(asOf("version=-1"), 404, "not_found");
    }

    @Test
    void asOf_returns404_forAVersionTheTaskNeverHad() {
        assertProblem(asOf("version=" + live.size()), 404, "not_found");
    }

    @Test
    void asOf_returns404_forAnotherTenantsTask_exactlyLikeAnUnknownOne() {
        Response foreign = api().get("/api/v1/audit/tasks/" + taskId + "/as-of?version=0",
                                     auditToken(UUID.randomUUID()));
        Response unknown = api().get("/api/v1/audit/tasks/" + UuidV7.generate() + "/as-of?version=0", token);

        assertProblem(foreign, 404, "not_found");
        assertProblem(unknown, 404, "not_found");
        assertThat(foreign.body().get("detail")).isEqualTo(unknown.body().get("detail"));
        assertProblem(api().get("/api/v1/audit/widgets/" + taskId + "/as-of?version=0", token), 404, "not_found");
    }

    @Test
    void asOf_returns400_unlessExactlyOneWellFormedMomentIsGiven() {
        Response both = asOf("version=1&at=" + eventTimes().get(1));
        Response neither = asOf("");

        assertProblem(both, 400, "validation_failed");
        assertProblem(neither, 400, "validation_failed");
        assertThat(neither.body().get("errors").get(0).get("field").asString()).isEqualTo("at");
        assertProblem(asOf("at=last-tuesday"), 400, "validation_failed");
        assertProblem(asOf("version=two"), 400, "validation_failed");
        assertProblem(api().get("/api/v1/audit/tasks/42/as-of?version=0", token), 400, "validation_failed");
    }

    @Test
    void asOf_needsAnAuditToken() {
        String path = "/api/v1/audit/tasks/" + taskId + "/as-of?version=0";

        assertProblem(api().get(path, null), 401, "unauthorized");
        assertProblem(api().get(path, TestTokens.read(tenant)), 403, "forbidden");
        assertThat(api().get(path, token).status()).isEqualTo(200);
    }

    private Response asOf(String query) {
        return api().get("/api/v1/audit/tasks/" + taskId + "/as-of?" + query, token);
    }

    private List<Instant> eventTimes() {
        return owner.queryForList("SELECT time_stamp FROM event_store.domain_event_entry"
                                  + " WHERE aggregate_identifier = ? ORDER BY sequence_number",
                                  String.class, taskId.toString())
                    .stream().map(Instant::parse).toList();
    }
}
