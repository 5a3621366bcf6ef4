package dev.verity.query.task.query;

import dev.verity.events.common.UuidV7;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskEvent.ActionSubmitted;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskActionAdded;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.events.task.TaskEvent.TaskTargetAdded;
import dev.verity.events.task.TaskType;
import dev.verity.query.ApiClient;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import dev.verity.query.platform.web.ReadYourWrites;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TaskQueryControllerTest extends QuerySideTest {

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final UUID taskId = UuidV7.generate();
    private final String token = TestTokens.read(tenant);

    @Autowired
    private ReadYourWrites readYourWrites;

    @Test
    void getTask_returnsTheRowWithItsChildren_andTheVersionAsETag() {
        UUID approve = UuidV7.generate();
        UUID form = UuidV7.generate();
        UUID target = UuidV7.generate();
        UUID step = UuidV7.generate();
        long version = eventStreams.append(tenant,
                TaskEvents.created(taskId, tenant, project),
                new TaskActionAdded(taskId, approve, ActionType.APPROVE_REJECT, "Approve", null,
                                    Map.of("approveLabel", "Yes"), 2),
                new TaskActionAdded(taskId, form, ActionType.FORM_SUBMIT, "Fill in", "The form", Map.of(), 1),
                new TaskTargetAdded(taskId, target, TargetType.QUESTION, project, Map.of("q", 7)),
                new StepAdded(taskId, step, "draft"),
                new StepStarted(taskId, step, 0));
        awaitTaskVersion(taskId, version);

        Response response = api().get("/api/v1/tasks/" + taskId, token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"5\"");
        JsonNode task = response.body();
        assertThat(task.get("id").asString()).isEqualTo(taskId.toString());
        assertThat(task.get("tenantId").asString()).isEqualTo(tenant.toString());
        assertThat(task.get("projectId").asString()).isEqualTo(project.toString());
        assertThat(task.get("parentTaskId").isNull()).isTrue();
        assertThat(task.get("type").asString()).isEqualTo("REVIEW");
        assertThat(task.get("title").asString()).isEqualTo("Review the spec");
        assertThat(task.get("description").asString()).isEqualTo("Read it all");
        assertThat(task.get("status").asString()).isEqualTo("pending");
        assertThat(task.get("priority").asString()).isEqualTo("high");
        assertThat(task.get("assigneeType").asString()).isEqualTo("agent");
        assertThat(task.get("assigneeId").asString()).isEqualTo("agent-7");
        assertThat(task.get("dueDate").asString()).isEqualTo("2030-01-31T17:00:00Z");
        assertThat(task.get("componentKey").asString()).isEqualTo("spec-review");
        assertThat(task.get("dependencies").isArray()).isTrue();
        assertThat(task.get("blockedBy").size()).isZero();
        assertThat(task.get("completedAt").isNull()).isTrue();
        assertThat(task.get("metadata").get("source").asString()).isEqualTo("test");
        assertThat(task.get("metadata").get("round").asInt()).isEqualTo(1);
        assertThat(task.get("createdBy").asString()).isEqualTo("alice");
        assertThat(task.get("createdAt").asString()).endsWith("Z");
        assertThat(task.get("version").asLong()).isEqualTo(5);
        assertThat(ids(task.get("actions"))).containsExactly(form.toString(), approve.toString());
        JsonNode approveAction = task.get("actions").get(1);
        assertThat(approveAction.get("type").asString()).isEqualTo("APPROVE_REJECT");
        assertThat(approveAction.get("label").asString()).isEqualTo("Approve");
        assertThat(approveAction.get("config").get("approveLabel").asString()).isEqualTo("Yes");
        assertThat(approveAction.get("displayOrder").asInt()).isEqualTo(2);
        JsonNode targetRow = task.get("targets").get(0);
        assertThat(targetRow.get("id").asString()).isEqualTo(target.toString());
        assertThat(targetRow.get("targetType").asString()).isEqualTo("question");
        assertThat(targetRow.get("targetId").asString()).isEqualTo(project.toString());
        assertThat(targetRow.get("metadata").get("q").asInt()).isEqualTo(7);
        JsonNode stepRow = task.get("steps").get(0);
        assertThat(stepRow.get("id").asString()).isEqualTo(step.toString());
        assertThat(stepRow.get("action").asString()).isEqualTo("draft");
        assertThat(stepRow.get("status").asString()).isEqualTo("executing");
        assertThat(stepRow.get("retryCount").asInt()).isZero();
        assertThat(stepRow.get("metadata").isObject()).isTrue();
    }

    @Test
    void getTask_returns404_forAnUnknownTask() {
        assertProblem(api().get("/api/v1/tasks/" + UuidV7.generate(), token), 404, "not_found");
    }

    @Test
    void getTask_returns404_forAnotherTenantsTask() {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));

        Response response = api().get("/api/v1/tasks/" + taskId, TestTokens.read(UUID.randomUUID()));

        assertProblem(response, 404, "not_found");
    }

    @Test
    void getTask_returns400_forAnIdThatIsNotAUuid() {
        Response response = api().get("/api/v1/tasks/not-a-uuid", token);

        assertProblem(response, 400, "validation_failed");
        assertThat(response.body().get("errors").get(0).get("field").asString()).isEqualTo("id");
    }

    @Test
    void getTask_withMinVersion_waitsForAnEventAppendedAfterTheRequestStarted() throws Exception {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));

        CompletableFuture<Response> pending = api().getAsync("/api/v1/tasks/" + taskId + "?minVersion=1", token);
        assertThatThrownBy(() -> pending.get(300, TimeUnit.MILLISECONDS))
                .as("the read waits while the task is at version 0")
                .isInstanceOf(TimeoutException.class);
        eventStreams.append(tenant, new TaskAssigned(taskId, AssigneeType.USER, "bob"));

        Response response = pending.get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.etag()).isEqualTo("\"1\"");
        assertThat(response.body().get("assigneeId").asString()).isEqualTo("bob");
    }

    /**
     * 250 reads wait for a version that never comes while a bystander reads another task: the
     * waits hold no request thread, so the bystander answers as fast as ever (it took 3.2 s when
     * each wait slept on a Tomcat thread), and a waiter whose version lands meanwhile gets its row.
     */
    @Test
    void getTask_withManyWaitersOnAVersionThatNeverArrives_leavesOtherReadsFast() throws Exception {
        UUID bystanderTask = UuidV7.generate();
        UUID landing = UuidV7.generate();
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));
        awaitTaskVersion(bystanderTask, eventStreams.append(tenant, TaskEvents.created(bystanderTask, tenant, project)));
        awaitTaskVersion(landing, eventStreams.append(tenant, TaskEvents.created(landing, tenant, project)));
        int before = readYourWrites.waiting();
        ApiClient waiters = api();

        assertThat(waiters.get("/api/v1/tasks/" + taskId, token).status()).as("warm up the client").isEqualTo(200);
        ApiClient bystander = api();
        for (int i = 0; i < 5; i++) {
            assertThat(bystander.get("/api/v1/tasks/" + bystanderTask, token).status()).as("warm up").isEqualTo(200);
        }
        // In batches of 50: a burst of 250 new connections would overflow Tomcat's accept backlog
        // (100), and the refused ones would only retry a second later.
        List<CompletableFuture<Response>> waits = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            waits.add(waiters.getAsync("/api/v1/tasks/" + taskId + "?minVersion=99", token));
            if (i % 50 == 49) {
                Thread.sleep(20);
            }
        }
        // More waits than Tomcat has request threads (200): holding a thread each, they starved every other read.
        // Bounded for a busy 2-core machine, where 250 requests take seconds just to arrive; the
        // point is how many wait at once, not how soon.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2))
               .until(() -> readYourWrites.waiting() >= before + 201);
        int waitingAtStart = readYourWrites.waiting() - before;
        CompletableFuture<Response> lands = waiters.getAsync("/api/v1/tasks/" + landing + "?minVersion=1", token);
        List<Long> reads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            Response response = bystander.get("/api/v1/tasks/" + bystanderTask, token);
            reads.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(response.status()).isEqualTo(200);
        }
        long slowest = Collections.max(reads);
        long median = reads.stream().sorted().toList().get(reads.size() / 2);
        long appendedAt = System.nanoTime();
        eventStreams.append(tenant, new TaskAssigned(landing, AssigneeType.USER, "bob"));
        awaitTaskVersion(landing, 1);
        long projectedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - appendedAt);
        Response landed = lands.get(10, TimeUnit.SECONDS);
        long landedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - appendedAt);
        System.out.printf("minVersion: %d of 250 waiters waiting; a bystander's 10 reads (warm client): median %d ms,"
                          + " slowest %d ms; a landing write read %d ms after its append (projected after %d ms)%n",
                          waitingAtStart, median, slowest, landedAfter, projectedAfter);

        assertThat(slowest).as("the bystander's slowest read, in ms").isLessThan(500);
        assertThat(landed.status()).isEqualTo(200);
        assertThat(landed.body().get("assigneeId").asString()).isEqualTo("bob");
        for (CompletableFuture<Response> wait : waits) {
            assertProblem(wait.get(10, TimeUnit.SECONDS), 504, "stale_read_model");
        }
    }

    @Test
    void getTask_withMinVersionAlreadyReached_answersAtOnce() {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project),
                                                     new TaskStarted(taskId)));

        Response response = api().get("/api/v1/tasks/" + taskId + "?minVersion=0", token);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("version").asLong()).isEqualTo(1);
    }

    @Test
    void getTask_returns504_whenTheReadModelNeverReachesMinVersion() {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));

        assertProblem(api().get("/api/v1/tasks/" + taskId + "?minVersion=3", token), 504, "stale_read_model");
    }

    @Test
    void getTask_returns504_forATaskThatNeverAppears_whenMinVersionIsGiven() {
        assertProblem(api().get("/api/v1/tasks/" + UuidV7.generate() + "?minVersion=0", token), 504,
                      "stale_read_model");
    }

    @Test
    void getTask_returns400_forANegativeMinVersion() {
        assertProblem(api().get("/api/v1/tasks/" + taskId + "?minVersion=-1", token), 400, "validation_failed");
    }

    @Test
    void listTasks_walksEveryPageOnce_inIdOrder() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            UUID id = UuidV7.generate();
            eventStreams.append(tenant, TaskEvents.created(id, tenant, project));
            created.add(id.toString());
        }
        awaitAll(created);

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            Response page = api().get("/api/v1/tasks?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertThat(page.status()).isEqualTo(200);
            seen.addAll(ids(page.body().get("items")));
            pageSizes.add(page.body().get("items").size());
            JsonNode next = page.body().get("nextCursor");
            assertThat(next).as("nextCursor is always present").isNotNull();
            cursor = next.isNull() ? null : next.asString();
        } while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(created.stream().sorted().toList());
        assertThat(pageSizes).containsExactly(3, 3, 1);
    }

    @Test
    void listTasks_filtersByEachField() {
        UUID parent = UuidV7.generate();
        UUID otherProject = UUID.randomUUID();
        UUID review = UuidV7.generate();
        UUID decide = UuidV7.generate();
        UUID child = UuidV7.generate();
        UUID elsewhere = UuidV7.generate();
        eventStreams.append(tenant, TaskEvents.withFields(parent, tenant, project, TaskType.CONNECT, null, null));
        eventStreams.append(tenant, TaskEvents.withFields(review, tenant, project, TaskType.REVIEW, "bob", null),
                            new TaskStarted(review));
        eventStreams.append(tenant, TaskEvents.withFields(decide, tenant, project, TaskType.DECIDE, "carol", null));
        eventStreams.append(tenant, TaskEvents.withFields(child, tenant, project, TaskType.PROVIDE, null, parent));
        eventStreams.append(tenant, TaskEvents.withFields(elsewhere, tenant, otherProject, TaskType.REVIEW, null, null));
        awaitAll(List.of(parent.toString(), decide.toString(), child.toString(), elsewhere.toString()));
        awaitTaskVersion(review, 1);

        assertThat(list("projectId=" + project)).containsExactlyInAnyOrder(ids(parent, review, decide, child));
        assertThat(list("status=in_progress")).containsExactly(ids(review));
        assertThat(list("type=REVIEW")).containsExactlyInAnyOrder(ids(review, elsewhere));
        assertThat(list("assigneeId=carol")).containsExactly(ids(decide));
        assertThat(list("parentTaskId=" + parent)).containsExactly(ids(child));
        assertThat(list("projectId=" + project + "&status=pending&type=PROVIDE")).containsExactly(ids(child));
    }

    @Test
    void listTasks_seesOnlyTheCallersTenant() {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));

        Response response = api().get("/api/v1/tasks?projectId=" + project, TestTokens.read(UUID.randomUUID()));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("items").size()).isZero();
        assertThat(response.body().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void listTasks_returns400_forALimitOutOfRange() {
        for (String limit : List.of("0", "501", "many")) {
            Response response = api().get("/api/v1/tasks?limit=" + limit, token);
            assertProblem(response, 400, "validation_failed");
            assertThat(response.body().get("errors").get(0).get("field").asString()).isEqualTo("limit");
        }
    }

    @Test
    void listTasks_returns400_forACursorItDidNotIssue() {
        for (String cursor : List.of("not*base64", "c2hvcnQ")) {
            Response response = api().get("/api/v1/tasks?cursor=" + cursor, token);
            assertProblem(response, 400, "validation_failed");
            assertThat(response.body().get("errors").get(0).get("field").asString()).isEqualTo("cursor");
        }
    }

    @Test
    void listTasks_returns400_forAnUnknownStatusOrType() {
        Response status = api().get("/api/v1/tasks?status=done", token);
        Response type = api().get("/api/v1/tasks?type=REVIEWING", token);
        Response project = api().get("/api/v1/tasks?projectId=nope", token);

        assertProblem(status, 400, "validation_failed");
        assertThat(status.body().get("errors").get(0).get("field").asString()).isEqualTo("status");
        assertProblem(type, 400, "validation_failed");
        assertThat(type.body().get("errors").get(0).get("field").asString()).isEqualTo("type");
        assertProblem(project, 400, "validation_failed");
        assertThat(project.body().get("errors").get(0).get("field").asString()).isEqualTo("projectId");
    }

    @Test
    void submissions_listsTheTasksSubmissionsInOrder() {
        UUID action = UuidV7.generate();
        UUID first = UuidV7.generate();
        UUID second = UuidV7.generate();
        awaitTaskVersion(taskId, eventStreams.append(tenant,
                TaskEvents.created(taskId, tenant, project),
                new TaskActionAdded(taskId, action, ActionType.TEXT_INPUT, "Answer", null, Map.of(), 0),
                new ActionSubmitted(taskId, action, first, "key-1", Map.of("text", "hello"), "bob"),
                new ActionSubmitted(taskId, action, second, "key-2", Map.of("text", "again"), "carol")));

        Response response = api().get("/api/v1/tasks/" + taskId + "/submissions", token);

        assertThat(response.status()).isEqualTo(200);
        JsonNode items = response.body().get("items");
        assertThat(ids(items)).containsExactly(first.toString(), second.toString());
        JsonNode submission = items.get(0);
        assertThat(submission.get("actionId").asString()).isEqualTo(action.toString());
        assertThat(submission.get("idempotencyKey").asString()).isEqualTo("key-1");
        assertThat(submission.get("submittedBy").asString()).isEqualTo("bob");
        assertThat(submission.get("submittedAt").asString()).endsWith("Z");
        assertThat(submission.get("data").get("text").asString()).isEqualTo("hello");
        assertThat(submission.get("result").isNull()).isTrue();
        assertThat(submission.get("bindingsExecuted").isNull()).isTrue();
        assertThat(submission.has("createdAt")).isTrue();
    }

    @Test
    void submissions_returns404_forAnotherTenantsTask() {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));

        assertProblem(api().get("/api/v1/tasks/" + taskId + "/submissions", TestTokens.read(UUID.randomUUID())),
                      404, "not_found");
        assertProblem(api().get("/api/v1/tasks/" + UuidV7.generate() + "/submissions", token), 404, "not_found");
    }

    @Test
    void activity_listsTheTasksActivityInSequenceOrder() {
        awaitTaskVersion(taskId, eventStreams.append(tenant,
                TaskEvents.created(taskId, tenant, project),
                new TaskAssigned(taskId, AssigneeType.USER, "bob"),
                new TaskStarted(taskId)));

        Response response = api().get("/api/v1/tasks/" + taskId + "/activity", token);

        assertThat(response.status()).isEqualTo(200);
        JsonNode items = response.body().get("items");
        assertThat(items.size()).isEqualTo(3);
        assertThat(items.get(0).get("activityType").asString()).isEqualTo("created");
        assertThat(items.get(1).get("activityType").asString()).isEqualTo("assigned");
        JsonNode started = items.get(2);
        assertThat(started.get("activityType").asString()).isEqualTo("status_changed");
        assertThat(started.get("actorType").asString()).isEqualTo("user");
        assertThat(started.get("actorId").asString()).isEqualTo("alice");
        assertThat(started.get("details").get("from").asString()).isEqualTo("pending");
        assertThat(started.get("details").get("to").asString()).isEqualTo("in_progress");
        assertThat(started.get("sequenceNumber").asLong()).isEqualTo(2);
        assertThat(started.get("id").asString()).isNotBlank();
        assertThat(started.get("createdAt").asString()).endsWith("Z");
    }

    @Test
    void activity_returns404_forAnotherTenantsTask() {
        awaitTaskVersion(taskId, eventStreams.append(tenant, TaskEvents.created(taskId, tenant, project)));

        assertProblem(api().get("/api/v1/tasks/" + taskId + "/activity", TestTokens.read(UUID.randomUUID())),
                      404, "not_found");
        assertProblem(api().get("/api/v1/tasks/" + UuidV7.generate() + "/activity", token), 404, "not_found");
    }

    private void awaitAll(List<String> ids) {
        ids.forEach(id -> awaitTaskVersion(UUID.fromString(id), 0));
    }

    private List<String> list(String query) {
        Response response = api().get("/api/v1/tasks?" + query, token);
        assertThat(response.status()).as(query).isEqualTo(200);
        return ids(response.body().get("items"));
    }

    private static String[] ids(UUID... ids) {
        return Arrays.stream(ids).map(UUID::toString).toArray(String[]::new);
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
        assertThat(response.body().get("type").asString()).isEqualTo("urn:verity:problem:" + code);
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
    }
}
