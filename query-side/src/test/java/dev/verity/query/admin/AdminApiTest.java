package dev.verity.query.admin;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admin API tests: tokens with scope {@code admin} (one tenant's) or {@code operator} (platform-wide), and
 * waiting for rebuilds. Rebuilds swap the
 * live tables of the one shared test database, so tests only assert on rows of their own tenant
 * or on tables that a rebuild made from the event store.
 */
abstract class AdminApiTest extends QuerySideTest {

    static final Set<String> ACTIVE = Set.of("replaying", "swapping");

    final UUID tenant = UUID.randomUUID();

    String admin() {
        return token("admin");
    }

    /** Platform-wide operations: rebuilds, verification of every table, every tenant's dead letters. */
    String operator() {
        return token("operator");
    }

    String reader() {
        return TestTokens.read(tenant);
    }

    String token(String scope) {
        return TestTokens.token(JWT_SECRET, tenant, scope, Instant.now().plus(Duration.ofMinutes(10)));
    }

    /** The projection's status as an operator sees it: every tenant's letters, errors with their messages. */
    JsonNode status(String projection) {
        return status(projection, operator());
    }

    JsonNode status(String projection, String token) {
        Response response = api().get("/api/v1/admin/projections/" + projection, token);
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    /** Polls the projection until its rebuild has finished, however it ended. */
    JsonNode awaitRebuildFinished(String projection) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        // A bound on a hang, not a speed target: the store holds every test's events by now, and a
        // rebuild replays all of them while concurrent writers and every live processor share 2 cores.
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(25)).until(() -> {
            JsonNode status = status(projection);
            last.set(status);
            return present(status.path("rebuild")) && !ACTIVE.contains(status.path("rebuild").path("state").asString());
        });
        return last.get();
    }

    /** Rebuilds a projection and insists that it succeeded. */
    JsonNode rebuild(String projection) {
        Response accepted = api().post("/api/v1/admin/projections/" + projection + "/rebuild", operator());
        assertThat(accepted.status()).as("rebuild of %s: %s", projection, accepted.body()).isEqualTo(202);
        JsonNode finished = awaitRebuildFinished(projection);
        assertThat(finished.path("rebuild").path("state").asString()).as("rebuild of %s: %s", projection, finished)
                                                                      .isEqualTo("done");
        return finished;
    }

    static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).as("%s", response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
    }

    static boolean present(JsonNode node) {
        return !node.isNull() && !node.isMissingNode();
    }

    /** Every row of a live table, ordered, as text: equal dumps mean equal tables. */
    String dump(String table) {
        return owner.queryForObject("SELECT coalesce(string_agg(to_jsonb(t)::text, E'\\n' ORDER BY t.id), '')"
                                    + " FROM read_model." + table + " t", String.class);
    }

    boolean schemaExists(String schema) {
        return Boolean.TRUE.equals(owner.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?)", Boolean.class, schema));
    }
}
