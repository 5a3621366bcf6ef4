package dev.verity.query.audit.ledger;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.TestTokens;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerControllerTest extends LedgerTestSupport {

    private static final String DIGEST = "/api/v1/audit/digest";
    private static final String VERIFY = "/api/v1/audit/ledger/verify";

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Test
    void digest_returnsTheNewestLedgerEntry() {
        LedgerEntry mine = awaitChained(appendTask());

        Response response = digest();

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.body();
        assertThat(body.get("position").asLong()).isGreaterThanOrEqualTo(mine.position());
        LedgerEntry newest = entryAt(body.get("position").asLong()).orElseThrow();
        assertThat(body.get("hash").asString()).isEqualTo(LedgerHash.hex(newest.hash())).hasSize(64);
        assertThat(Instant.parse(body.get("at").asString())).isEqualTo(newest.chainedAt());
    }

    @Test
    void verify_checksTheStoreAgainstTheLedger_withoutABody() {
        awaitChained(appendTask());

        Response response = api().post(VERIFY, auditToken(), null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("ok").asBoolean()).isTrue();
        assertThat(response.body().has("firstMismatch")).isTrue();
    }

    /** An open write transaction anywhere on the server holds the line; verify says how much it holds back. */
    @Test
    void verify_saysHowFarTheLedgerReaches_againstTheStoresHead() throws Exception {
        awaitChained(appendTask());
        CountDownLatch begun = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        CompletableFuture<Void> open = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            owner.queryForObject("SELECT pg_current_xact_id()::text", String.class);
            begun.countDown();
            try {
                end.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        StoredEvent held;
        JsonNode during;
        try {
            assertThat(begun.await(10, TimeUnit.SECONDS)).isTrue();
            held = appendTask();
            chainer.chain();
            during = api().post(VERIFY, auditToken(), null).body();
        } finally {
            end.countDown();
            open.get(10, TimeUnit.SECONDS);
        }

        assertThat(during.get("ok").asBoolean()).as("%s", during).isTrue();
        assertThat(during.get("unchainedEvents").asLong()).as("%s", during).isPositive();
        assertThat(during.get("storeHead").asLong()).isGreaterThanOrEqualTo(held.globalIndex());
        LedgerEntry chained = awaitChained(held);
        JsonNode after = api().post(VERIFY, auditToken(), null).body();
        assertThat(after.get("checkedThrough").asLong()).isGreaterThanOrEqualTo(chained.position());
        assertThat(after.get("storeHead").asLong()).isGreaterThanOrEqualTo(held.globalIndex());
    }

    @Test
    void verify_treatsAnEmptyObjectAsNoDigest() {
        Response response = api().post(VERIFY, auditToken(), "{}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void digestAndVerify_return401_withoutAToken() {
        assertProblem(api().get(DIGEST, null), 401, "unauthorized");
        assertProblem(api().post(VERIFY, null, null), 401, "unauthorized");
    }

    @Test
    void digestAndVerify_return403_withOnlyTheReadScope() {
        String read = TestTokens.read(tenant);

        assertProblem(api().get(DIGEST, read), 403, "forbidden");
        assertProblem(api().post(VERIFY, read, null), 403, "forbidden");
    }

    @Test
    void verify_returns400_forAHashThatIsNotHex() {
        assertInvalid("{\"position\": 0, \"hash\": \"" + "zz".repeat(32) + "\"}", "hash");
    }

    @Test
    void verify_returns400_forAHashOfTheWrongLength() {
        assertInvalid("{\"position\": 0, \"hash\": \"abcd\"}", "hash");
    }

    @Test
    void verify_returns400_forANegativePosition() {
        assertInvalid("{\"position\": -1, \"hash\": \"" + "00".repeat(32) + "\"}", "position");
    }

    @Test
    void verify_returns400_forAPositionBeyondTheLedger() {
        awaitChained(appendTask());
        long beyond = ledgerHeadPosition() + 1_000_000;

        JsonNode problem = assertInvalid("{\"position\": " + beyond + ", \"hash\": \"" + "00".repeat(32) + "\"}",
                                         "position");

        assertThat(problem.get("errors").get(0).get("message").asString()).contains("beyond the ledger");
    }

    @Test
    void verify_returns400_forAPositionWithoutAHash_orAHashWithoutAPosition() {
        assertInvalid("{\"position\": 1}", "hash");
        assertInvalid("{\"hash\": \"" + "00".repeat(32) + "\"}", "position");
    }

    @Test
    void verify_returns400_forABodyThatIsNotJson() {
        Response response = api().post(VERIFY, auditToken(), "{not json");

        assertProblem(response, 400, "malformed_request");
    }

    private JsonNode assertInvalid(String body, String field) {
        Response response = api().post(VERIFY, auditToken(), body);
        assertProblem(response, 400, "validation_failed");
        assertThat(response.body().get("errors").get(0).get("field").asString()).isEqualTo(field);
        return response.body();
    }

    private static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
    }
}
