package dev.verity.command.task;

import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.task.TaskCommand.AddStep;
import dev.verity.events.common.ActorType;
import dev.verity.events.common.MetadataKeys;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Writers racing on one task: one wins each conflict, the losers hear 409, nothing is lost. */
class TaskRaceTest extends IntegrationTest {

    private static final int RACERS = 20;

    @Autowired
    private CommandGateway commandGateway;
    @Autowired
    private PlatformTransactionManager transactionManager;

    private UUID createTask() {
        Response response = http.post("/api/v1/tasks", token,
                                      Map.of("projectId", UUID.randomUUID(), "type", "PROVIDE", "title", "race"));
        return UUID.fromString((String) response.get("id"));
    }

    private List<Response> race(String path, Object body, String... headers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> futures = IntStream.range(0, RACERS)
                    .mapToObj(i -> pool.submit(() -> {
                        start.await();
                        return http.post(path, token, body, headers);
                    }))
                    .toList();
            start.countDown();
            List<Response> responses = new java.util.ArrayList<>();
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
    void conflictingStarts_oneSucceeds_theOthersGet409() throws Exception {
        UUID id = createTask();

        List<Response> responses = race("/api/v1/tasks/" + id + "/start", null);

        assertThat(count(responses, 200)).isEqualTo(1);
        assertThat(count(responses, 409)).isEqualTo(RACERS - 1);
        assertThat(responses).filteredOn(r -> r.status() == 409)
                             .allSatisfy(r -> assertThat(r.get("code")).isEqualTo("invalid_transition"));
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void conditionalAssigns_onTheSameVersion_oneSucceeds_theOthersGet412() throws Exception {
        UUID id = createTask();

        List<Response> responses = race("/api/v1/tasks/" + id + "/assign",
                                        Map.of("assigneeType", "agent", "assigneeId", "racer"), "If-Match", "\"0\"");

        assertThat(count(responses, 200)).isEqualTo(1);
        assertThat(count(responses, 412)).isEqualTo(RACERS - 1);
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void unconditionalAppends_allSucceed_andNoneIsLost() throws Exception {
        UUID id = createTask();

        List<Response> responses = race("/api/v1/tasks/" + id + "/steps", Map.of("action", "step"));

        assertThat(count(responses, 201)).isEqualTo(RACERS);
        assertThat(responses).extracting(r -> r.get("version")).doesNotHaveDuplicates();
        assertThat(eventCount(id)).isEqualTo(RACERS + 1);
    }

    @Test
    void sameIdempotencyKey_racing_hasExactlyOneEffect() throws Exception {
        UUID id = createTask();
        Response action = http.post("/api/v1/tasks/" + id + "/actions", token, Map.of("type", "TEXT_INPUT", "label", "a"));

        List<Response> responses = race("/api/v1/tasks/" + id + "/actions/" + action.get("id") + "/submissions",
                                        Map.of("data", Map.of("answer", 42)), "Idempotency-Key", "same-key");

        assertThat(count(responses, 201)).isEqualTo(1);
        assertThat(count(responses, 200)).isEqualTo(RACERS - 1);
        assertThat(responses).extracting(r -> r.get("id")).containsOnly(responses.get(0).get("id"));
        assertThat(eventCount(id)).isEqualTo(3);
    }

    /**
     * Another instance of the command side (simulated by a raw insert in an open transaction)
     * appends the same next sequence number while this one handles a command: the database's
     * unique key decides, and this side answers 409 instead of losing either write.
     */
    @Test
    void writerInAnotherProcess_winsTheSequence_andThisOneAnswers409ConcurrentModification() throws Exception {
        UUID id = createTask();
        try (Connection other = jdbc.getDataSource().getConnection()) {
            other.setAutoCommit(false);
            insertRawTaskEvent(other, id, 1, "TaskStarted", "{\"taskId\":\"" + id + "\"}",
                               "{\"tenantId\":\"" + tenant + "\"}");
            CompletableFuture<Response> ours = CompletableFuture.supplyAsync(
                    () -> http.post("/api/v1/tasks/" + id + "/assign", token,
                                    Map.of("assigneeType", "user", "assigneeId", "bob")));
            await("our append to wait on the other writer's row lock", () -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                            + " AND query LIKE 'INSERT INTO event_store.domain_event_entry%'", Long.class) > 0);
            other.commit();

            Response response = ours.get();

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.get("code")).isEqualTo("concurrent_modification");
        }
        assertThat(eventCount(id)).isEqualTo(2);
        assertThat(http.post("/api/v1/tasks/" + id + "/assign", token,
                             Map.of("assigneeType", "user", "assigneeId", "bob")).get("version")).isEqualTo(2);
    }

    /**
     * A command whose unit of work joins a transaction that commits later (an Idempotency-Key's, or
     * the dependency manager's batch) has released the task's lock before its event is committed.
     * The next command on the task must not start from that uncommitted state: it appended the next
     * sequence number, which committed first, and a projection then skipped the earlier event as
     * already applied (FaultSuiteIT: a steps row missing against a rebuild). It waits on the
     * uncommitted append instead, and loses it to the unique key: 409, and the events stay in order.
     */
    @Test
    void aCommandInAnOpenOuterTransaction_isNotTheNextCommandsStartingPoint() throws Exception {
        UUID id = createTask();
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> outer = CompletableFuture.runAsync(() -> new TransactionTemplate(transactionManager)
                .executeWithoutResult(status -> {
                    commandGateway.sendAndWait(GenericCommandMessage.asCommandMessage(
                            new AddStep(id, tenant, null, UUID.randomUUID(), "inside")).andMetaData(
                            MetaData.with(MetadataKeys.TENANT_ID, tenant.toString())
                                    .and(MetadataKeys.ACTOR_TYPE, ActorType.SYSTEM.wire())
                                    .and(MetadataKeys.ACTOR_ID, "outer-transaction")));
                    appended.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        try {
            appended.await();
            CompletableFuture<Response> next = CompletableFuture.supplyAsync(
                    () -> http.post("/api/v1/tasks/" + id + "/steps", token, Map.of("action", "next")));
            await("the next command to wait on the open append, or to answer", () -> next.isDone() || jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                            + " AND query LIKE 'INSERT INTO event_store.domain_event_entry%'", Long.class) > 0);
            release.countDown();
            outer.get();

            Response response = next.get();

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.get("code")).isEqualTo("concurrent_modification");
        } finally {
            release.countDown();
        }
        assertThat(eventCount(id)).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT sequence_number FROM event_store.domain_event_entry"
                                     + " WHERE aggregate_identifier = ? ORDER BY global_index", Long.class, id.toString()))
                .containsExactly(0L, 1L);
        assertThat(http.post("/api/v1/tasks/" + id + "/steps", token, Map.of("action", "after")).get("version"))
                .isEqualTo(2);
    }
}
