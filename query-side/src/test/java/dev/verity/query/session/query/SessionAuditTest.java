package dev.verity.query.session.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent;
import dev.verity.events.session.SessionEvent.ObligationMerged;
import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.SessionEvents;
import dev.verity.query.TestTokens;
import dev.verity.query.audit.AuditTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions in the audit trail by registration alone: history from the event store, as-of by
 * version and by turn (obligations included) equal to what the live API answered then, the
 * event log, and the tenant's verification of its session tables (embeddings and the ENUM
 * included) against a rebuild from its events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionAuditTest extends AuditTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID sessionId = UuidV7.generate();
    private final String auditor = auditToken(tenant);
    /** What the live API returned at each version, indexed by version. */
    private final List<JsonNode> live = new ArrayList<>();

    @BeforeAll
    void aSessionOverThreeTurns_capturedLiveAtEveryVersion() {
        List<SessionEvent> history = List.of(
                SessionEvents.started(sessionId, tenant, project),
                SessionEvents.added(sessionId, "a", "0.00"),
                new TurnRecorded(sessionId, 1, Map.of("topic", "intro")),
                SessionEvents.added(sessionId, "b", "0.00"),
                SessionEvents.embedding(sessionId, "b", SessionEvents.vector(5)),
                new TurnRecorded(sessionId, 2, null),
                SessionEvents.changed(sessionId, "a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.50"),
                new ObligationMerged(sessionId, "b", "a", ObligationStatus.PENDING, Map.of(), 2, new BigDecimal("1.00")),
                new TurnRecorded(sessionId, 3, null));
        for (SessionEvent event : history) {
            long version = eventStreams.appendSession(tenant, event);
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                   .until(() -> owner.queryForList("SELECT version FROM read_model.elicitation_sessions WHERE id = ?",
                                                   Long.class, sessionId).stream().anyMatch(v -> v >= version));
            Response response = api().get("/api/v1/sessions/" + sessionId, TestTokens.read(tenant));
            assertThat(response.status()).isEqualTo(200);
            live.add(response.body());
        }
    }

    @Test
    void history_listsEverySessionEvent_fromTheEventStore() {
        Response response = api().get("/api/v1/audit/sessions/" + sessionId + "/history", auditor);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("aggregateType").asString()).isEqualTo("Session");
        List<String> types = new ArrayList<>();
        response.body().get("items").forEach(item -> types.add(item.get("type").asString()));
        assertThat(types).containsExactly("SessionStarted", "ObligationAdded", "TurnRecorded", "ObligationAdded",
                                          "ObligationEmbeddingSet", "TurnRecorded", "ObligationStatusChanged",
                                          "ObligationMerged", "TurnRecorded");
        assertThat(response.body().get("items").get(4).get("payload").get("embedding").size()).isEqualTo(1536);
        assertProblem(api().get("/api/v1/audit/sessions/" + sessionId + "/history", auditToken(UUID.randomUUID())),
                      404, "not_found");
    }

    @Test
    void asOfEveryVersion_isWhatTheLiveApiAnsweredThen_obligationsIncluded() {
        for (int version = 0; version < live.size(); version++) {
            Response response = api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?version=" + version, auditor);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).as("version %d", version).isEqualTo(live.get(version));
        }
    }

    @Test
    void asOfTurn_isTheSessionAtTheEndOfThatTurn() {
        // Turn 0 ends before the first TurnRecorded (version 2), turn 1 before the second (version 5).
        assertThat(api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?turn=0", auditor).body())
                .isEqualTo(live.get(1));
        JsonNode turnOne = api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?turn=1", auditor).body();
        assertThat(turnOne).isEqualTo(live.get(4));
        assertThat(turnOne.get("obligations").size()).isEqualTo(2);
        assertThat(turnOne.get("turnCount").asInt()).isEqualTo(1);
        JsonNode turnThree = api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?turn=3", auditor).body();
        assertThat(turnThree).isEqualTo(live.get(8));
        assertProblem(api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?turn=4", auditor), 404, "not_found");
        assertProblem(api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?turn=-1", auditor), 400,
                      "validation_failed");
        assertProblem(api().get("/api/v1/audit/sessions/" + sessionId + "/as-of?turn=1", TestTokens.read(tenant)),
                      403, "forbidden");
    }

    @Test
    void eventLog_holdsEverySessionEvent_withItsProject() {
        awaitEventLog(sessionId, live.size());
        Response response = api().get("/api/v1/audit/events?aggregateType=Session&aggregateId=" + sessionId, auditor);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("items").size()).isEqualTo(live.size());
        response.body().get("items").forEach(item ->
                assertThat(item.get("projectId").asString()).isEqualTo(project.toString()));
    }

    @Test
    void tenantVerification_rebuildsTheSessionTablesFromTheEvents_andFindsThemEqual() {
        awaitEventLog(sessionId, live.size());
        Response response = api().post("/api/v1/audit/verify", auditor);

        assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
        assertThat(response.body().get("ok").asBoolean()).as("%s", response.body()).isTrue();
        assertThat(response.body().toString()).contains("elicitation_sessions", "elicitation_obligations",
                                                        "obligation_events");
    }

    @Test
    void tenantVerification_findsATamperedEmbedding() {
        awaitEventLog(sessionId, live.size());
        owner.update("UPDATE read_model.elicitation_obligations SET embedding = NULL WHERE session_id = ? AND"
                     + " obligation_key = 'b'", sessionId);
        try {
            Response response = api().post("/api/v1/audit/verify", auditor);
            assertThat(response.body().get("ok").asBoolean()).isFalse();
            assertThat(response.body().toString()).contains("elicitation_obligations");
        } finally {
            owner.update("UPDATE read_model.elicitation_obligations SET embedding = ?::vector WHERE session_id = ?"
                         + " AND obligation_key = 'b'", new com.pgvector.PGvector(SessionEvents.vector(5)).getValue(),
                         sessionId);
        }
        assertThat(api().post("/api/v1/audit/verify", auditor).body().get("ok").asBoolean()).isTrue();
    }
}
