package dev.verity.command.platform.idempotency;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.support.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency-Key on any command: retries replay the first answer and have no second effect. */
class IdempotencyKeyTest extends IntegrationTest {

    private static final Map<String, Object> NEW_TASK =
            Map.of("projectId", "0190c3a0-0000-7000-8000-00000000000a", "type", "REVIEW", "title", "once");

    private long tasksOfTenant() {
        return jdbc.queryForObject("SELECT count(*) FROM command_model.task_lookup WHERE tenant_id = ?", Long.class, tenant);
    }

    @Test
    void create_retriedWithTheSameKey_replaysTheFirstAnswer_andCreatesOneTask() {
        Response first = http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", "create-1");
        Response retry = http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", "create-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
        assertThat(retry.header("ETag")).isEqualTo(first.header("ETag"));
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(tasksOfTenant()).isEqualTo(1);
    }

    @Test
    void submission_retriedWithTheSameKeyAndData_isMarkedReplayed() {
        String task = (String) http.post("/api/v1/tasks", token, NEW_TASK).get("id");
        String action = (String) http.post("/api/v1/tasks/" + task + "/actions", token,
                                           Map.of("type", "TEXT_INPUT", "label", "Answer")).get("id");
        String path = "/api/v1/tasks/" + task + "/actions/" + action + "/submissions";

        Response first = http.post(path, token, Map.of("data", Map.of("text", "yes")), "Idempotency-Key", "sub-1");
        Response retry = http.post(path, token, Map.of("data", Map.of("text", "yes")), "Idempotency-Key", "sub-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.get("id")).isEqualTo(first.get("id"));
    }

    @Test
    void sameKey_withAnotherRequest_returns409IdempotencyConflict_andChangesNothing() {
        http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", "create-2");

        Response other = http.post("/api/v1/tasks", token, Map.of("projectId", UUID.randomUUID(), "type", "REVIEW",
                                                                  "title", "different"), "Idempotency-Key", "create-2");

        assertThat(other.status()).isEqualTo(409);
        assertThat(other.get("code")).isEqualTo("idempotency_conflict");
        assertThat(other.header("Content-Type")).startsWith("application/problem+json");
        assertThat(tasksOfTenant()).isEqualTo(1);
    }

    @Test
    void conflictProblem_isValidJson_forAKeyWithQuotesAndBackslashes() {
        String key = "odd\\\"key";
        http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", key);

        Response other = http.post("/api/v1/tasks", token, Map.of("projectId", UUID.randomUUID(), "type", "PROVIDE",
                                                                  "title", "other"), "Idempotency-Key", key);

        assertThat(other.status()).isEqualTo(409);
        assertThat((String) other.get("detail")).contains(key);
    }

    @Test
    void create_returns400SecretRejected_whenTheKeyIsAJwt_andKeepsNeitherKeyNorTask() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";

        Response response = http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", jwt);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.get("code")).isEqualTo("secret_rejected");
        assertThat((String) response.get("detail")).contains("Idempotency-Key").doesNotContain(jwt);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM command_model.idempotency_keys WHERE tenant_id = ?",
                                       Long.class, tenant)).isZero();
        assertThat(tasksOfTenant()).isZero();
    }

    @Test
    void racingRetries_withOneKey_haveExactlyOneEffect() throws Exception {
        int racers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Response> responses = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", "race");
                }));
            }
            start.countDown();
            for (Future<Response> future : futures) {
                responses.add(future.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(responses).allSatisfy(response -> assertThat(response.status()).isEqualTo(201));
        assertThat(responses).extracting(response -> response.get("id")).containsOnly(responses.get(0).get("id"));
        assertThat(tasksOfTenant()).isEqualTo(1);
    }

    @Test
    void rejectedCommand_keepsNoKey_soAFixedRetryRuns() {
        UUID id = UUID.fromString((String) http.post("/api/v1/tasks", token, NEW_TASK).get("id"));
        http.post("/api/v1/tasks/" + id + "/block", token, Map.of("reason", "legal"));

        Response rejected = http.post("/api/v1/tasks/" + id + "/start", token, null, "Idempotency-Key", "start-1");
        http.post("/api/v1/tasks/" + id + "/unblock", token, null);
        Response retried = http.post("/api/v1/tasks/" + id + "/start", token, null, "Idempotency-Key", "start-1");

        assertThat(rejected.status()).isEqualTo(409);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.header("Idempotent-Replayed")).isNull();
        assertThat(eventCount(id)).isEqualTo(4);
    }

    @Test
    void keys_areScopedToTheTenant() {
        http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", "shared-key");
        String otherTenant = TestTokens.token(UUID.randomUUID(), "read write");

        Response other = http.post("/api/v1/tasks", otherTenant, NEW_TASK, "Idempotency-Key", "shared-key");

        assertThat(other.status()).isEqualTo(201);
        assertThat(other.header("Idempotent-Replayed")).isNull();
    }

    @Test
    void overlongKey_returns400() {
        Response response = http.post("/api/v1/tasks", token, NEW_TASK, "Idempotency-Key", "k".repeat(256));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.get("code")).isEqualTo("validation_failed");
        assertThat(tasksOfTenant()).isZero();
    }
}
