package dev.verity.query.session.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent.ObligationAttempted;
import dev.verity.events.session.SessionEvent.ObligationConfidenceUpdated;
import dev.verity.events.session.SessionEvent.ObligationDependencyResolved;
import dev.verity.events.session.SessionEvent.ObligationMerged;
import dev.verity.events.session.SessionEvent.ObligationNegotiated;
import dev.verity.events.session.SessionEvent.ObligationSplit;
import dev.verity.events.session.SessionEvent.ObligationStatusChanged;
import dev.verity.events.session.SessionEvent.ObligationValueExtracted;
import dev.verity.events.session.SessionEvent.PhaseChanged;
import dev.verity.events.session.SessionEvent.SessionAbandoned;
import dev.verity.events.session.SessionEvent.SessionCompleted;
import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.events.session.SessionPhase;
import dev.verity.query.QuerySideTest;
import dev.verity.query.SessionEvents;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The live `sessions` processor: events appended to the real event store, rows read back from PostgreSQL. */
class SessionProjectionTest extends QuerySideTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID sessionId = UuidV7.generate();

    @Autowired
    private JsonMapper json;

    @Autowired
    private dev.verity.query.platform.tenancy.TenantReads reads;

    private void awaitSessionVersion(long version) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
               .until(() -> owner.queryForList("SELECT version FROM read_model.elicitation_sessions WHERE id = ?",
                                               Long.class, sessionId).stream().anyMatch(v -> v >= version));
    }

    private void append(dev.verity.events.session.SessionEvent... events) {
        awaitSessionVersion(eventStreams.appendSession(tenant, events));
    }

    private Map<String, Object> obligation(String key) {
        return owner.queryForMap("""
                SELECT status::text AS status, pg_typeof(status)::text AS status_type, dependencies::text AS dependencies,
                       confidence, extracted_value::text AS extracted_value, negotiation_state::text AS negotiation,
                       attempts, max_attempts, last_attempt_turn, satisfied_at_turn, agent_notes, task_priority,
                       field_path, embedding IS NOT NULL AS has_embedding
                  FROM read_model.elicitation_obligations WHERE session_id = ? AND obligation_key = ?""", sessionId, key);
    }

    private Map<String, Object> session() {
        return owner.queryForMap("""
                SELECT status, session_phase, turn_count, completeness_score, working_memory_snapshot::text AS memory,
                       completed_at IS NOT NULL AS completed, version
                  FROM read_model.elicitation_sessions WHERE id = ?""", sessionId);
    }

    private List<org.assertj.core.groups.Tuple> events(String key) {
        return owner.query("""
                SELECT event_type, old_status, new_status, old_confidence, new_confidence, turn_number,
                       (metadata ->> 'sequenceNumber')::bigint AS seq
                  FROM read_model.obligation_events WHERE session_id = ? AND obligation_key = ?
                 ORDER BY created_at, (metadata ->> 'sequenceNumber')::bigint""",
                (rs, n) -> tuple(rs.getString("event_type"), rs.getString("old_status"), rs.getString("new_status"),
                                 rs.getBigDecimal("old_confidence"), rs.getBigDecimal("new_confidence"),
                                 rs.getObject("turn_number"), rs.getLong("seq")), sessionId, key);
    }

    @Test
    void sessionStarted_insertsTheSessionWithTheSeedDefaults() {
        append(SessionEvents.started(sessionId, tenant, project));

        assertThat(session()).containsEntry("status", "active").containsEntry("session_phase", "opening")
                             .containsEntry("turn_count", 0).containsEntry("completeness_score", new BigDecimal("0.00"))
                             .containsEntry("memory", null).containsEntry("version", 0L);
        assertThat(owner.queryForObject("SELECT tenant_id FROM read_model.elicitation_sessions WHERE id = ?",
                                        UUID.class, sessionId)).isEqualTo(tenant);
    }

    @Test
    void turnsPhasesAndCompletion_updateTheSessionRow_keepingTheLastSnapshot() {
        append(SessionEvents.started(sessionId, tenant, project),
               new TurnRecorded(sessionId, 1, Map.of("topic", "pricing")),
               new TurnRecorded(sessionId, 2, null),
               new PhaseChanged(sessionId, SessionPhase.OPENING, SessionPhase.CLOSING),
               new SessionCompleted(sessionId, "alice"));

        Map<String, Object> session = session();
        assertThat(session).containsEntry("status", "completed").containsEntry("session_phase", "closing")
                           .containsEntry("turn_count", 2).containsEntry("completed", true).containsEntry("version", 4L);
        assertThat(json.readTree((String) session.get("memory")).get("topic").asString()).isEqualTo("pricing");
    }

    @Test
    void sessionAbandoned_setsTheStatus() {
        append(SessionEvents.started(sessionId, tenant, project), new SessionAbandoned(sessionId, "alice"));
        assertThat(session()).containsEntry("status", "abandoned").containsEntry("completed", false);
    }

    @Test
    void obligationLifecycle_fillsTheEnumAndSeedColumns_andOneObligationEventPerDomainEvent() {
        append(SessionEvents.started(sessionId, tenant, project),
               SessionEvents.added(sessionId, "a", "0.00"),
               SessionEvents.added(sessionId, "b", "0.00", "a"),
               new TurnRecorded(sessionId, 1, null),
               new ObligationAttempted(sessionId, "a", 1, 1),
               new ObligationValueExtracted(sessionId, "a", Map.of("name", "Acme"), "user", 1),
               new ObligationConfidenceUpdated(sessionId, "a", new BigDecimal("0.00"), new BigDecimal("0.85"), "user", 1),
               new ObligationNegotiated(sessionId, "a", Map.of("userSays", "almost"), 1),
               new ObligationStatusChanged(sessionId, "a", ObligationStatus.PENDING, ObligationStatus.SATISFIED,
                                           "confirmed", 1, 1, new BigDecimal("0.50")),
               new ObligationDependencyResolved(sessionId, "b", "a", 1));

        assertThat(obligation("a")).containsEntry("status", "satisfied")
                                   .containsEntry("status_type", "read_model.obligation_status")
                                   .containsEntry("confidence", new BigDecimal("0.85"))
                                   .containsEntry("attempts", 1).containsEntry("max_attempts", 3)
                                   .containsEntry("last_attempt_turn", 1).containsEntry("satisfied_at_turn", 1)
                                   .containsEntry("agent_notes", "confirmed").containsEntry("task_priority", 5)
                                   .containsEntry("field_path", "profile.a").containsEntry("has_embedding", false);
        assertThat(json.readTree((String) obligation("a").get("extracted_value")).get("name").asString()).isEqualTo("Acme");
        assertThat(json.readTree((String) obligation("b").get("dependencies")).get(0).asString()).isEqualTo("a");
        assertThat(session()).containsEntry("completeness_score", new BigDecimal("0.50"));
        assertThat(events("a")).containsExactly(
                tuple("created", null, "pending", null, null, 0, 1L),
                tuple("value_extracted", null, null, null, null, 1, 5L),
                tuple("confidence_updated", null, null, new BigDecimal("0.00"), new BigDecimal("0.85"), 1, 6L),
                tuple("negotiation", null, null, null, null, 1, 7L),
                tuple("status_changed", "pending", "satisfied", null, null, 1, 8L));
        assertThat(events("b")).containsExactly(tuple("created", null, "pending", null, null, 0, 2L),
                                                tuple("dependency_resolved", null, null, null, null, 1, 9L));
    }

    @Test
    void mergeAndSplit_skipTheOriginal_repointDependents_andRecordTheirRows() {
        append(SessionEvents.started(sessionId, tenant, project),
               SessionEvents.added(sessionId, "a", "0.00"),
               SessionEvents.added(sessionId, "t", "0.00"),
               SessionEvents.added(sessionId, "x", "0.00", "a"),
               new ObligationMerged(sessionId, "a", "t", ObligationStatus.PENDING, Map.of("x", List.of("t")), 0,
                                    new BigDecimal("0.00")),
               SessionEvents.added(sessionId, "t1", "0.00"),
               SessionEvents.added(sessionId, "t2", "0.00"),
               new ObligationSplit(sessionId, "t", List.of("t1", "t2"), ObligationStatus.PENDING,
                                   Map.of("x", List.of("t1", "t2")), 0, new BigDecimal("0.00")));

        assertThat(obligation("a")).containsEntry("status", "skipped");
        assertThat(obligation("t")).containsEntry("status", "skipped");
        assertThat(json.readTree((String) obligation("x").get("dependencies")).toString()).isEqualTo("[\"t1\",\"t2\"]");
        assertThat(events("a")).extracting(t -> t.toList().get(0)).containsExactly("created", "merged");
        assertThat(events("t")).extracting(t -> t.toList().get(0)).containsExactly("created", "split");
        String splitMetadata = owner.queryForObject("SELECT metadata::text FROM read_model.obligation_events"
                                                    + " WHERE session_id = ? AND event_type = 'split'", String.class,
                                                    sessionId);
        assertThat(json.readTree(splitMetadata).get("into").toString()).isEqualTo("[\"t1\",\"t2\"]");
    }

    @Test
    void embeddingSet_storesTheVector_exactlyAsTheEventCarriesIt() throws Exception {
        float[] vector = SessionEvents.vector(42);
        append(SessionEvents.started(sessionId, tenant, project), SessionEvents.added(sessionId, "a", "0.00"),
               SessionEvents.embedding(sessionId, "a", vector));

        String stored = owner.queryForObject("SELECT embedding::text FROM read_model.elicitation_obligations"
                                             + " WHERE session_id = ?", String.class, sessionId);
        assertThat(new com.pgvector.PGvector(stored).toArray()).containsExactly(vector);
        assertThat(owner.queryForObject("SELECT vector_dims(embedding) FROM read_model.elicitation_obligations"
                                        + " WHERE session_id = ?", Integer.class, sessionId)).isEqualTo(1536);
    }

    @Test
    void rowsAreConfinedToTheirTenant_byRowLevelSecurity() {
        append(SessionEvents.started(sessionId, tenant, project), SessionEvents.added(sessionId, "a", "0.00"));

        for (String table : List.of("elicitation_sessions", "elicitation_obligations", "obligation_events")) {
            Long visible = reads.read(UUID.randomUUID(), jdbc -> jdbc.getJdbcTemplate().queryForObject(
                    "SELECT count(*) FROM read_model." + table, Long.class));
            String column = table.equals("elicitation_sessions") ? "id" : "session_id";
            Long own = reads.read(tenant, jdbc -> jdbc.getJdbcTemplate().queryForObject(
                    "SELECT count(*) FROM read_model." + table + " WHERE " + column + " = ?", Long.class, sessionId));
            assertThat(own).as(table).isPositive();
            assertThat(visible).as(table).isZero();
            assertThat(owner.queryForObject("SELECT relrowsecurity FROM pg_class WHERE oid = 'read_model." + table
                                            + "'::regclass", Boolean.class)).as(table).isTrue();
        }
    }
}
