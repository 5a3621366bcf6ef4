package dev.verity.command.budget;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.TestTokens;
import dev.verity.events.budget.BudgetIds;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code PUT /api/v1/projects/{projectId}/budget} over real HTTP: its successes and each error. */
class BudgetCommandApiTest extends IntegrationTest {

    private final UUID project = UUID.randomUUID();

    private Response put(String token, Object body, String... headers) {
        return http.send("PUT", "/api/v1/projects/" + project + "/budget", token, "application/json",
                         HttpRequest.BodyPublishers.ofString(body instanceof String text ? text : json(body)), headers);
    }

    private static String json(Object body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertProblem(Response response, int status, String code, String field) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        if (field != null) {
            assertThat((List<Map<String, String>>) response.get("errors")).extracting(e -> e.get("field")).contains(field);
        }
    }

    private Map<String, Object> lookupRow(UUID tenantId) {
        return jdbc.queryForMap("SELECT budget_id, max_tokens, max_cost_usd, warning_threshold, on_limit_reached"
                                + " FROM command_model.budget_lookup WHERE tenant_id = ? AND project_id = ?",
                                tenantId, project);
    }

    @Test
    void put_creates201_withTheSeedDefaults_andFeedsTheCommandSideLookup() {
        Response response = put(token, Map.of());

        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        assertThat(response.body()).containsEntry("id", BudgetIds.of(tenant, project).toString())
                                   .containsEntry("version", 0);
        assertThat(response.header("ETag")).isEqualTo("\"0\"");
        assertThat(response.header("Location")).endsWith("/api/v1/projects/" + project + "/budget");
        assertThat(lookupRow(tenant)).containsEntry("max_tokens", 100_000)
                                     .containsEntry("max_cost_usd", new BigDecimal("5.0000"))
                                     .containsEntry("warning_threshold", new BigDecimal("0.80"))
                                     .containsEntry("on_limit_reached", "PAUSE");
    }

    @Test
    void put_replaces200_thenAnUnchangedPutAppendsNothing() {
        put(token, Map.of());
        Response changed = put(token, Map.of("maxTokens", 5000, "maxCostUsd", 1.2345, "warningThreshold", 0.5,
                                             "onLimitReached", "fail"));
        Response unchanged = put(token, "{\"maxTokens\": 5000, \"maxCostUsd\": 1.23450, \"warningThreshold\": 0.50,"
                                        + " \"onLimitReached\": \"fail\"}");

        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.get("version")).isEqualTo(1);
        assertThat(unchanged.status()).isEqualTo(200);
        assertThat(unchanged.get("version")).isEqualTo(1);
        assertThat(eventCount(BudgetIds.of(tenant, project))).isEqualTo(2);
        assertThat(lookupRow(tenant)).containsEntry("max_tokens", 5000)
                                     .containsEntry("max_cost_usd", new BigDecimal("1.2345"))
                                     .containsEntry("on_limit_reached", "FAIL");
    }

    @Test
    void put_byTwoTenants_forTheSameProject_makesTwoBudgets() {
        UUID otherTenant = UUID.randomUUID();
        Response ours = put(token, Map.of("maxTokens", 10));
        Response theirs = put(TestTokens.token(otherTenant, "write"), Map.of("maxTokens", 20));

        assertThat(ours.status()).isEqualTo(201);
        assertThat(theirs.status()).isEqualTo(201);
        assertThat(ours.get("id")).isNotEqualTo(theirs.get("id"));
        assertThat(lookupRow(tenant)).containsEntry("max_tokens", 10);
        assertThat(lookupRow(otherTenant)).containsEntry("max_tokens", 20);
    }

    @Test
    void put_returns400_namingTheField_whenCostHasMoreDecimalsThanItsColumn_andStoresNothing() {
        assertProblem(put(token, "{\"maxCostUsd\": 1.00001}"), 400, "validation_failed", "maxCostUsd");
        assertThat(eventCount(BudgetIds.of(tenant, project))).isZero();
    }

    @Test
    void put_returns400_namingTheField_forOutOfRangeValues() {
        assertProblem(put(token, "{\"maxCostUsd\": 1e400}"), 400, "validation_failed", "maxCostUsd");
        assertProblem(put(token, Map.of("maxTokens", 0)), 400, "validation_failed", "maxTokens");
        assertProblem(put(token, Map.of("warningThreshold", 1.5)), 400, "validation_failed", "warningThreshold");
        assertProblem(put(token, Map.of("onLimitReached", "explode")), 400, "validation_failed", "onLimitReached");
    }

    @Test
    void put_returns400_malformedRequest_forAnUnknownField() {
        assertProblem(put(token, Map.of("maxTokenz", 5)), 400, "malformed_request", "maxTokenz");
    }

    @Test
    void put_returns412_whenIfMatchIsStale() {
        put(token, Map.of());
        assertProblem(put(token, Map.of("maxTokens", 7), "If-Match", "\"4\""), 412, "version_mismatch", null);
    }

    @Test
    void put_returns403_withoutWriteScope_and401_withoutAToken() {
        assertProblem(put(TestTokens.token(tenant, "read"), Map.of()), 403, "forbidden", null);
        assertProblem(put(null, Map.of()), 401, "unauthorized", null);
    }

    @Test
    void otherMethods_onTheBudget_are405_allowingPut() {
        Response post = http.post("/api/v1/projects/" + project + "/budget", token, Map.of());
        Response get = http.send("GET", "/api/v1/projects/" + project + "/budget", token, null,
                                 HttpRequest.BodyPublishers.noBody());

        assertProblem(post, 405, "method_not_allowed", null);
        assertThat(post.header("Allow")).isEqualTo("PUT");
        assertProblem(get, 405, "method_not_allowed", null);
    }

    @Test
    void put_elsewhere_isStill405_allowingPost() {
        Response response = http.send("PUT", "/api/v1/executions", token, "application/json",
                                      HttpRequest.BodyPublishers.ofString("{}"));

        assertProblem(response, 405, "method_not_allowed", null);
        assertThat(response.header("Allow")).isEqualTo("POST");
    }
}
