package dev.verity.command.kit;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Writers racing on one kit execution: one wins each conflict, the losers hear 409, nothing is lost. */
class KitExecutionRaceTest extends IntegrationTest {

    private static final String API = "/api/v1/kit-executions";

    private UUID runningExecution() {
        Response created = http.post(API, token, Map.of("projectId", UUID.randomUUID(), "kitId", "race",
                                                        "kitVersion", "1", "inputSnapshot", Map.of()));
        UUID id = UUID.fromString((String) created.get("id"));
        assertThat(http.post(API + "/" + id + "/start", token, null).status()).isEqualTo(200);
        return id;
    }

    /** Each writer posts its own body to its own path, all released at once. */
    private List<Response> race(List<String> paths, List<Object> bodies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(paths.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                String path = paths.get(i);
                Object body = bodies.get(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return http.post(path, token, body);
                }));
            }
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

    private static long count(List<Response> responses, int status) {
        return responses.stream().filter(response -> response.status() == status).count();
    }

    @Test
    void completeRacingFail_oneWins_theOtherGets409InvalidTransition() throws Exception {
        for (int round = 0; round < 10; round++) {
            UUID id = runningExecution();

            List<Response> responses = race(List.of(API + "/" + id + "/complete", API + "/" + id + "/fail"),
                                            List.of(Map.of(), Map.of("errorMessage", "gave up")));

            assertThat(count(responses, 200)).as("round %d: %s", round, responses).isEqualTo(1);
            assertThat(count(responses, 409)).isEqualTo(1);
            assertThat(responses).filteredOn(r -> r.status() == 409)
                                 .allSatisfy(r -> assertThat(r.get("code")).isEqualTo("invalid_transition"));
            assertThat(eventCount(id)).isEqualTo(3);
        }
    }

    @Test
    void theSameOutputIdTwiceAtOnce_oneIsRecorded_theOtherGets409AlreadyExists() throws Exception {
        for (int round = 0; round < 10; round++) {
            UUID id = runningExecution();
            String outputs = API + "/" + id + "/outputs";

            List<Response> responses = race(List.of(outputs, outputs),
                                            List.of(Map.of("outputId", "hero", "filename", "a.html", "outputType",
                                                           "html", "status", "valid"),
                                                    Map.of("outputId", "hero", "filename", "b.html", "outputType",
                                                           "html", "status", "failed")));

            assertThat(count(responses, 201)).as("round %d: %s", round, responses).isEqualTo(1);
            assertThat(count(responses, 409)).isEqualTo(1);
            assertThat(responses).filteredOn(r -> r.status() == 409)
                                 .allSatisfy(r -> assertThat(r.get("code")).isEqualTo("already_exists"));
            assertThat(eventCount(id)).isEqualTo(3);
        }
    }

    @Test
    void conditionalCompletes_onTheSameVersion_oneSucceeds_theOtherGets412Or409() throws Exception {
        UUID id = runningExecution();
        String complete = API + "/" + id + "/complete";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return http.post(complete, token, Map.of(), "If-Match", "\"1\"");
                }));
            }
            start.countDown();
            List<Response> responses = List.of(futures.get(0).get(), futures.get(1).get());

            assertThat(count(responses, 200)).isEqualTo(1);
            assertThat(count(responses, 412)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(eventCount(id)).isEqualTo(3);
    }

    /**
     * Another instance of the command side (a raw insert in an open transaction) appends the same
     * next sequence number while this one records an output: the database's unique key decides,
     * and this side answers 409 instead of losing either write.
     */
    @Test
    void writerInAnotherProcess_winsTheSequence_andThisOneAnswers409ConcurrentModification() throws Exception {
        UUID id = runningExecution();
        try (Connection other = jdbc.getDataSource().getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement insert = other.prepareStatement(
                    "INSERT INTO event_store.domain_event_entry (aggregate_identifier, sequence_number, type,"
                    + " event_identifier, meta_data, payload, payload_type, time_stamp)"
                    + " VALUES (?, 2, 'KitExecution', ?, convert_to(?, 'UTF8'), convert_to(?, 'UTF8'), ?, ?)")) {
                insert.setString(1, id.toString());
                insert.setString(2, UUID.randomUUID().toString());
                insert.setString(3, "{\"tenantId\":\"" + tenant + "\"}");
                insert.setString(4, "{\"kitExecutionId\":\"" + id + "\",\"errorMessage\":\"elsewhere\"}");
                insert.setString(5, "dev.verity.events.kit.KitExecutionEvent$KitExecutionFailed");
                insert.setString(6, Instant.now().toString());
                insert.executeUpdate();
            }
            CompletableFuture<Response> ours = CompletableFuture.supplyAsync(
                    () -> http.post(API + "/" + id + "/outputs", token,
                                    Map.of("outputId", "hero", "filename", "a.html", "outputType", "html",
                                           "status", "valid")));
            await("our append to wait on the other writer's row lock", () -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                            + " AND query LIKE 'INSERT INTO event_store.domain_event_entry%'", Long.class) > 0);
            other.commit();

            Response response = ours.get();

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.get("code")).isEqualTo("concurrent_modification");
        }
        assertThat(eventCount(id)).isEqualTo(3);
        assertThat(http.post(API + "/" + id + "/outputs", token,
                             Map.of("outputId", "hero", "filename", "a.html", "outputType", "html", "status", "valid"))
                       .get("code")).as("the other writer failed the run, so no output is recorded now")
                                    .isEqualTo("invalid_transition");
    }
}
