package dev.verity.command.execution;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage reports racing on one execution: the recorded totals are the sum of exactly the reports
 * that were acknowledged, the limit is crossed by exactly one event, and with {@code pause} no
 * report is accepted after the one that crossed. Losers hear 409 (a lost race or a paused
 * execution), never a silent drop.
 */
class AgentExecutionRaceTest extends IntegrationTest {

    private static final int REPORTS = 50;
    private static final int TOKENS_PER_REPORT = 10;
    private static final String COST_PER_REPORT = "0.0125";

    private UUID runningExecution(long tokensLimit, String onLimitReached) {
        UUID project = UUID.randomUUID();
        http.send("PUT", "/api/v1/projects/" + project + "/budget", token, "application/json",
                  java.net.http.HttpRequest.BodyPublishers.ofString("{\"onLimitReached\": \"" + onLimitReached + "\"}"));
        Response created = http.post("/api/v1/executions", token, Map.of(
                "projectId", project, "strategy", "race", "tokensLimit", tokensLimit, "costLimit", 1000,
                "agents", List.of(Map.of("name", "a", "role", "r", "status", "s"))));
        UUID id = UUID.fromString((String) created.get("id"));
        http.post("/api/v1/executions/" + id + "/start", token, null);
        return id;
    }

    private List<Response> race(UUID id) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REPORTS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> futures = IntStream.range(0, REPORTS)
                    .mapToObj(i -> pool.submit(() -> {
                        start.await();
                        return http.post("/api/v1/executions/" + id + "/usage", token,
                                         "{\"tokens\": " + TOKENS_PER_REPORT + ", \"costUsd\": " + COST_PER_REPORT + "}");
                    }))
                    .toList();
            start.countDown();
            List<Response> responses = new ArrayList<>();
            for (Future<Response> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<String> eventTypes(UUID id) {
        return jdbc.queryForList("SELECT regexp_replace(payload_type, '.*\\$', '') FROM event_store.domain_event_entry"
                                 + " WHERE aggregate_identifier = ? ORDER BY sequence_number", String.class, id.toString());
    }

    private Map<String, Object> lastTotals(UUID id) {
        return jdbc.queryForMap("SELECT (p ->> 'tokensUsed')::bigint AS tokens, (p ->> 'costIncurred')::numeric AS cost"
                                + " FROM (SELECT convert_from(payload, 'UTF8')::jsonb AS p, sequence_number"
                                + " FROM event_store.domain_event_entry WHERE aggregate_identifier = ?"
                                + " AND payload_type LIKE '%UsageRecorded') u ORDER BY sequence_number DESC LIMIT 1",
                                id.toString());
    }

    @Test
    void fiftyParallelReports_withPause_totalsAreTheAcknowledgedSum_oneCrossing_nothingAcceptedAfterIt() throws Exception {
        UUID id = runningExecution(200, "pause");

        List<Response> responses = race(id);

        List<Response> acknowledged = responses.stream().filter(r -> r.status() == 200).toList();
        System.out.printf("race[pause]: %d reports, %d acknowledged, %d refused with 409%n", REPORTS,
                          acknowledged.size(), responses.stream().filter(r -> r.status() == 409).count());
        assertThat(responses).allSatisfy(r -> assertThat(r.status()).as(r.body().toString()).isIn(200, 409));
        assertThat(responses).filteredOn(r -> r.status() == 409).allSatisfy(r -> assertThat(r.get("code"))
                .isIn("execution_not_running", "concurrent_modification"));
        assertThat(acknowledged).hasSize(200 / TOKENS_PER_REPORT);
        Map<String, Object> totals = lastTotals(id);
        assertThat(totals.get("tokens")).isEqualTo((long) acknowledged.size() * TOKENS_PER_REPORT);
        assertThat((BigDecimal) totals.get("cost"))
                .isEqualByComparingTo(new BigDecimal(COST_PER_REPORT).multiply(BigDecimal.valueOf(acknowledged.size())));
        List<String> types = eventTypes(id);
        assertThat(types).filteredOn("BudgetLimitReached"::equals).hasSize(1);
        assertThat(types).filteredOn("BudgetWarningReached"::equals).hasSize(1);
        assertThat(types.subList(types.indexOf("BudgetLimitReached"), types.size()))
                .as("nothing after the crossing report but its pause").containsExactly("BudgetLimitReached",
                                                                                        "ExecutionPaused");
        assertThat(acknowledged).filteredOn(r -> "exceeded".equals(r.get("budgetState"))).hasSize(1)
                                .allSatisfy(r -> assertThat(r.get("status")).isEqualTo("paused"));
    }

    @Test
    void fiftyParallelReports_withWarn_allAreRecorded_andTheLimitIsCrossedOnce() throws Exception {
        UUID id = runningExecution(200, "warn");

        List<Response> responses = race(id);

        List<Response> acknowledged = responses.stream().filter(r -> r.status() == 200).toList();
        System.out.printf("race[warn]: %d reports, %d acknowledged, %d refused with 409%n", REPORTS,
                          acknowledged.size(), responses.stream().filter(r -> r.status() == 409).count());
        assertThat(responses).allSatisfy(r -> assertThat(r.status()).isIn(200, 409));
        assertThat(lastTotals(id).get("tokens")).isEqualTo((long) acknowledged.size() * TOKENS_PER_REPORT);
        assertThat(eventTypes(id)).filteredOn("UsageRecorded"::equals).hasSize(acknowledged.size());
        assertThat(eventTypes(id)).filteredOn("BudgetLimitReached"::equals).hasSize(1);
        assertThat(acknowledged.size()).isGreaterThan(200 / TOKENS_PER_REPORT);
    }
}
