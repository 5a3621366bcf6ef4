package dev.verity.query.kit.projection;

import dev.verity.events.common.UuidV7;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionFailed;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import dev.verity.query.EventStreams;
import dev.verity.query.QuerySideTest;
import dev.verity.query.kit.KitExecutionEvents;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static dev.verity.query.kit.KitExecutionEvents.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The live `kit-executions` processor: events appended to the real event store, rows read back from PostgreSQL. */
class KitExecutionProjectionTest extends QuerySideTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID executionId = UuidV7.generate();

    @Autowired
    private EventStorageEngine storageEngine;

    @Autowired
    private EventProcessingConfiguration processing;

    @Autowired
    private JsonMapper json;

    private KitExecutionEvents events;

    @BeforeEach
    void events() {
        events = new KitExecutionEvents(storageEngine);
    }

    @Test
    void kitExecutionsProjection_runsInAPooledStreamingProcessor_thatParksWhatFailsInItsOwnDeadLetterQueue() {
        assertThat(processing.eventProcessorByProcessingGroup(KitExecutionProjection.PROCESSING_GROUP))
                .get()
                .isInstanceOf(PooledStreamingEventProcessor.class)
                .satisfies(processor -> assertThat(processor.getName()).isEqualTo("kit-executions"));
        assertThat(processing.listenerInvocationErrorHandler(KitExecutionProjection.PROCESSING_GROUP))
                .isInstanceOf(PropagatingErrorHandler.class);
        assertThat(processing.deadLetterQueue(KitExecutionProjection.PROCESSING_GROUP)).isPresent();
    }

    @Test
    void created_insertsAPendingExecutionAtVersion0_withZeroedFigures() {
        awaitVersion(events.append(tenant, KitExecutionEvents.created(executionId, tenant, project)));

        Map<String, Object> row = owner.queryForMap("""
                SELECT tenant_id, project_id, user_id, kit_definition_id, kit_id, kit_version, status, started_at,
                       completed_at, execution_time_ms, input_snapshot::text AS input_snapshot, output_count,
                       outputs_valid, outputs_warnings, outputs_failed, token_usage_prompt, token_usage_completion,
                       token_usage_total, estimated_cost_usd, bundle_path, bundle_size_bytes, error_message,
                       error_step, error_details, workflow_run_id, inngest_run_id, created_at = updated_at AS untouched,
                       version
                  FROM read_model.kit_executions WHERE id = ?""", executionId);
        assertThat(row).containsEntry("tenant_id", tenant)
                       .containsEntry("project_id", project)
                       .containsEntry("user_id", EventStreams.ACTOR_ID)
                       .containsEntry("kit_definition_id", null)
                       .containsEntry("kit_id", "landing-page")
                       .containsEntry("kit_version", "1.2.0")
                       .containsEntry("status", "pending")
                       .containsEntry("started_at", null)
                       .containsEntry("completed_at", null)
                       .containsEntry("execution_time_ms", null)
                       .containsEntry("output_count", 0)
                       .containsEntry("outputs_valid", 0)
                       .containsEntry("outputs_warnings", 0)
                       .containsEntry("outputs_failed", 0)
                       .containsEntry("token_usage_prompt", 0)
                       .containsEntry("token_usage_completion", 0)
                       .containsEntry("token_usage_total", 0)
                       .containsEntry("estimated_cost_usd", null)
                       .containsEntry("bundle_path", null)
                       .containsEntry("error_message", null)
                       .containsEntry("workflow_run_id", "wf-1")
                       .containsEntry("inngest_run_id", "inngest-1")
                       .containsEntry("untouched", true)
                       .containsEntry("version", 0L);
        assertThat(json.readValue((String) row.get("input_snapshot"), Map.class))
                .isEqualTo(Map.of("brief", "A landing page", "pages", 3));
    }

    @Test
    void aRunWithOutputs_derivesCountsTokensAndRunTime_andEndsPartialWhenAnOutputFailed() {
        Instant t0 = recently();
        UUID hero = UuidV7.generate();
        UUID footer = UuidV7.generate();
        UUID broken = UuidV7.generate();
        awaitVersion(events.appendAt(
                new Instant[] {t0, t0.plusMillis(10), t0.plusMillis(500), t0.plusMillis(900), t0.plusMillis(1200),
                               t0.plusMillis(2345)},
                tenant,
                KitExecutionEvents.created(executionId, tenant, project),
                new KitExecutionStarted(executionId),
                output(executionId, hero, "hero", KitOutputStatus.VALID, 1200, 300),
                output(executionId, footer, "footer", KitOutputStatus.WARNINGS, 800, 200),
                output(executionId, broken, "pricing", KitOutputStatus.FAILED, 50, 7),
                new KitExecutionCompleted(executionId, KitExecutionStatus.PARTIAL, new BigDecimal("0.012345"),
                                          "s3://bucket/bundle.zip", 4096)));

        Map<String, Object> row = owner.queryForMap("""
                SELECT status, started_at, completed_at, execution_time_ms, output_count, outputs_valid,
                       outputs_warnings, outputs_failed, token_usage_prompt, token_usage_completion, token_usage_total,
                       estimated_cost_usd, bundle_path, bundle_size_bytes, updated_at = completed_at AS touched, version
                  FROM read_model.kit_executions WHERE id = ?""", executionId);
        assertThat(row).containsEntry("status", "partial")
                       .containsEntry("started_at", Timestamp.from(t0.plusMillis(10)))
                       .containsEntry("completed_at", Timestamp.from(t0.plusMillis(2345)))
                       .containsEntry("execution_time_ms", 2335)
                       .containsEntry("output_count", 3)
                       .containsEntry("outputs_valid", 1)
                       .containsEntry("outputs_warnings", 1)
                       .containsEntry("outputs_failed", 1)
                       .containsEntry("token_usage_prompt", 2050)
                       .containsEntry("token_usage_completion", 507)
                       .containsEntry("token_usage_total", 2557)
                       .containsEntry("estimated_cost_usd", new BigDecimal("0.012345"))
                       .containsEntry("bundle_path", "s3://bucket/bundle.zip")
                       .containsEntry("bundle_size_bytes", 4096)
                       .containsEntry("touched", true)
                       .containsEntry("version", 5L);
        assertThat(owner.queryForList("""
                SELECT id, tenant_id, output_id, filename, output_type, status, validation_errors, validation_warnings,
                       validation_auto_fixed, repair_attempts, validation_details::text AS details, content_path,
                       content_size_bytes, content_hash, token_usage_prompt, token_usage_completion, sequence_number,
                       created_at
                  FROM read_model.kit_execution_outputs WHERE execution_id = ? ORDER BY sequence_number""", executionId))
                .extracting(o -> o.get("id"), o -> o.get("tenant_id"), o -> o.get("output_id"), o -> o.get("filename"),
                            o -> o.get("output_type"), o -> o.get("status"), o -> o.get("validation_errors"),
                            o -> o.get("validation_warnings"), o -> o.get("validation_auto_fixed"),
                            o -> o.get("repair_attempts"), o -> json.readValue((String) o.get("details"), Map.class),
                            o -> o.get("content_path"), o -> o.get("content_size_bytes"), o -> o.get("content_hash"),
                            o -> o.get("token_usage_prompt"), o -> o.get("token_usage_completion"),
                            o -> o.get("sequence_number"), o -> o.get("created_at"))
                .containsExactly(
                        tuple(hero, tenant, "hero", "hero.html", "html", "valid", 1, 2, 3, 1, Map.of("rules", 12),
                              "s3://bucket/hero", 2048, KitExecutionEvents.HASH, 1200, 300, 2L,
                              Timestamp.from(t0.plusMillis(500))),
                        tuple(footer, tenant, "footer", "footer.html", "html", "warnings", 1, 2, 3, 1,
                              Map.of("rules", 12), "s3://bucket/footer", 2048, KitExecutionEvents.HASH, 800, 200, 3L,
                              Timestamp.from(t0.plusMillis(900))),
                        tuple(broken, tenant, "pricing", "pricing.html", "html", "failed", 1, 2, 3, 1,
                              Map.of("rules", 12), "s3://bucket/pricing", 2048, KitExecutionEvents.HASH, 50, 7, 4L,
                              Timestamp.from(t0.plusMillis(1200))));
    }

    @Test
    void aFailedRun_keepsTheErrorAndItsRunTime() {
        Instant t0 = recently();
        awaitVersion(events.appendAt(new Instant[] {t0, t0.plusSeconds(1), t0.plusSeconds(61)}, tenant,
                                     KitExecutionEvents.created(executionId, tenant, project),
                                     new KitExecutionStarted(executionId),
                                     new KitExecutionFailed(executionId, "renderer crashed", "render",
                                                            Map.of("exitCode", 137))));

        Map<String, Object> row = owner.queryForMap("""
                SELECT status, completed_at, execution_time_ms, error_message, error_step,
                       error_details::text AS error_details, estimated_cost_usd
                  FROM read_model.kit_executions WHERE id = ?""", executionId);
        assertThat(row).containsEntry("status", "failed")
                       .containsEntry("completed_at", Timestamp.from(t0.plusSeconds(61)))
                       .containsEntry("execution_time_ms", 60_000)
                       .containsEntry("error_message", "renderer crashed")
                       .containsEntry("error_step", "render")
                       .containsEntry("estimated_cost_usd", null);
        assertThat(json.readValue((String) row.get("error_details"), Map.class)).isEqualTo(Map.of("exitCode", 137));
    }

    @Test
    void aRunThatFailedBeforeItStarted_hasNoRunTime() {
        awaitVersion(events.append(tenant, KitExecutionEvents.created(executionId, tenant, project),
                                   new KitExecutionFailed(executionId, "no capacity", null, null)));

        assertThat(owner.queryForMap("SELECT status, started_at, completed_at IS NOT NULL AS ended, execution_time_ms,"
                                     + " error_details FROM read_model.kit_executions WHERE id = ?", executionId))
                .containsEntry("status", "failed")
                .containsEntry("started_at", null)
                .containsEntry("ended", true)
                .containsEntry("execution_time_ms", null)
                .containsEntry("error_details", null);
    }

    @Test
    void theSameOutputIdAndRowIdInAnotherTenantsExecution_isItsOwnRow() {
        UUID otherTenant = UUID.randomUUID();
        UUID otherExecution = UuidV7.generate();
        UUID row = UuidV7.generate();
        long ours = events.append(tenant, KitExecutionEvents.created(executionId, tenant, project),
                                  new KitExecutionStarted(executionId),
                                  output(executionId, row, "hero", KitOutputStatus.VALID, 10, 1));
        long theirs = events.append(otherTenant, KitExecutionEvents.created(otherExecution, otherTenant, project),
                                    new KitExecutionStarted(otherExecution),
                                    output(otherExecution, row, "hero", KitOutputStatus.FAILED, 99, 9));
        awaitVersion(executionId, ours);
        awaitVersion(otherExecution, theirs);

        assertThat(owner.queryForList("SELECT tenant_id, execution_id, status, token_usage_prompt"
                                      + " FROM read_model.kit_execution_outputs WHERE id = ?", row))
                .extracting(r -> r.get("tenant_id"), r -> r.get("execution_id"), r -> r.get("status"),
                            r -> r.get("token_usage_prompt"))
                .containsExactlyInAnyOrder(tuple(tenant, executionId, "valid", 10),
                                           tuple(otherTenant, otherExecution, "failed", 99));
        assertThat(owner.queryForObject("SELECT token_usage_total FROM read_model.kit_executions WHERE id = ?",
                                        Integer.class, executionId)).isEqualTo(11);
    }

    /**
     * A start time the events can be stamped from: a little in the past, so every stamp is before
     * now, and well within the event store's gap timeout, so no stamp makes a gap look old.
     */
    private static Instant recently() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(70);
    }

    private void awaitVersion(long version) {
        awaitVersion(executionId, version);
    }

    private void awaitVersion(UUID id, long version) {
        await().atMost(Duration.ofSeconds(15))
               .pollInterval(Duration.ofMillis(20))
               .until(() -> owner.queryForList("SELECT version FROM read_model.kit_executions WHERE id = ?", Long.class,
                                               id).stream().anyMatch(v -> v >= version));
    }
}
