package dev.verity.command.task;

import dev.verity.command.platform.DomainException;
import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
import dev.verity.command.task.TaskCommand.CreateTask;
import dev.verity.events.task.TaskType;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command guard on the running command side: refusals are 400 problems and store nothing. */
class CommandGuardApiTest extends IntegrationTest {

    private static final UUID PROJECT = UUID.fromString("0190c3a0-0000-7000-8000-000000000001");
    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    private static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQ\n"
                                      + "-----END RSA PRIVATE KEY-----";

    @Autowired
    private CommandGateway commandGateway;

    @Autowired
    private CommandBus commandBus;

    private Map<String, Object> task(UUID id, Object... fields) {
        Map<String, Object> body = new HashMap<>(Map.of("id", id, "projectId", PROJECT, "type", "REVIEW", "title", "t"));
        for (int i = 0; i < fields.length; i += 2) {
            body.put((String) fields[i], fields[i + 1]);
        }
        return body;
    }

    private static void assertRefused(Response response, String code, String field) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.get("code")).isEqualTo(code);
        assertThat(response.get("errors")).asList().singleElement()
                .satisfies(error -> assertThat(((Map<?, ?>) error).get("field")).isEqualTo(field));
    }

    private UUID createdTask() {
        UUID id = UUID.randomUUID();
        assertThat(http.post("/api/v1/tasks", token, task(id)).status()).isEqualTo(201);
        return id;
    }

    @Test
    void create_returns400_secretRejected_forSmugglingAttempts_andStoresNothing() {
        Map<String, Object[]> attempts = Map.of(
                "title", new Object[] {"title", JWT},
                "assigneeId", new Object[] {"assigneeType", "agent", "assigneeId", "AKIAIOSFODNN7EXAMPLE"},
                "description", new Object[] {"description", "here is my token " + JWT},
                "metadata.pwd", new Object[] {"metadata", Map.of("pwd", "x")},
                "metadata.p\u0430ssword", new Object[] {"metadata", Map.of("p\u0430ssword", "x")},
                "metadata.conf.\uff41\uff50\uff49\uff4b\uff45\uff59", new Object[] {"metadata",
                        Map.of("conf", Map.of("\uff41\uff50\uff49\uff4b\uff45\uff59", "x"))});
        attempts.forEach((field, fields) -> {
            UUID id = UUID.randomUUID();
            Response response = http.post("/api/v1/tasks", token, task(id, fields));

            assertRefused(response, "secret_rejected", field);
            assertThat(eventCount(id)).as(field).isZero();
        });
    }

    @Test
    void create_returns400_secretRejected_whenXCorrelationIdIsAJwt() {
        UUID id = UUID.randomUUID();
        Response response = http.post("/api/v1/tasks", token, task(id), "X-Correlation-Id", JWT);

        assertRefused(response, "secret_rejected", "X-Correlation-Id");
        assertThat((String) response.get("detail")).doesNotContain(JWT);
        assertThat(eventCount(id)).isZero();
    }

    @Test
    void submit_returns400_secretRejected_whenTheIdempotencyKeyIsAJwt() {
        UUID id = createdTask();
        Response action = http.post("/api/v1/tasks/" + id + "/actions", token, Map.of("type", "TEXT_INPUT", "label", "A"));
        String submissions = "/api/v1/tasks/" + id + "/actions/" + action.get("id") + "/submissions";

        assertRefused(http.post(submissions, token, Map.of("data", Map.of("text", "yes")), "Idempotency-Key", JWT),
                      "secret_rejected", "idempotencyKey");
        assertRefused(http.post(submissions, token, Map.of("data", Map.of("cookie", "sid=1")), "Idempotency-Key", "k-1"),
                      "secret_rejected", "data.cookie");
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void addActionAndSteps_return400_secretRejected_andStoreNothing() {
        UUID id = createdTask();

        assertRefused(http.post("/api/v1/tasks/" + id + "/actions", token,
                                Map.of("type", "TEXT_INPUT", "label", "A", "description", PEM)),
                      "secret_rejected", "description");
        assertRefused(http.post("/api/v1/tasks/" + id + "/actions", token,
                                Map.of("type", "TEXT_INPUT", "label", JWT)), "secret_rejected", "label");
        assertRefused(http.post("/api/v1/tasks/" + id + "/steps", token,
                                Map.of("action", "deploy with key=sk_live_4eC39HqLyjWDarjtT1zdp7dc")),
                      "secret_rejected", "action");
        assertThat(eventCount(id)).isEqualTo(1);
    }

    @Test
    void commands_return201_forBenignLookAlikes() {
        String thumbnail = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
                           + "60e6kgAAAABJRU5ErkJggg==";
        UUID id = UUID.randomUUID();
        Response created = http.post("/api/v1/tasks", token, task(id, "title", "password reset flow",
                                                                 "metadata", Map.of("tokenizer", "cl100k_base",
                                                                                    "token_count", 1234)),
                                     "X-Correlation-Id", "0190c3a0-0000-7000-8000-000000000001");
        Response action = http.post("/api/v1/tasks/" + id + "/actions", token, Map.of("type", "FILE_UPLOAD", "label", "A"));
        Response submitted = http.post("/api/v1/tasks/" + id + "/actions/" + action.get("id") + "/submissions", token,
                                       Map.of("data", Map.of("thumbnail", thumbnail, "content_hash",
                                              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
                                       "Idempotency-Key", "6f1c8a52-4b7e-4d2a-9c1e-2b9d7f3a5e10");

        assertThat(List.of(created.status(), action.status(), submitted.status())).containsOnly(201);
        assertThat(eventCount(id)).isEqualTo(3);
    }

    @Test
    void create_returns400_validationFailed_forValuesTheReadModelCannotHold_andStoresNothing() {
        Map<String, String> bodies = Map.of(
                "title", "\"title\": \"a\\u0000b\"",
                "metadata", "\"metadata\": {\"k\\u0000ey\": 1}",
                "metadata.score", "\"metadata\": {\"score\": 1e400}",
                "dueDate", "\"dueDate\": \"+1000000000-12-31T23:59:59Z\"",
                "metadata.note", "\"metadata\": {\"note\": \"\\ud800\"}");
        bodies.forEach((field, json) -> {
            UUID id = UUID.randomUUID();
            String body = "{\"id\": \"" + id + "\", \"projectId\": \"" + PROJECT + "\", \"type\": \"REVIEW\", "
                          + (json.startsWith("\"title\"") ? "" : "\"title\": \"t\", ") + json + "}";

            assertRefused(http.post("/api/v1/tasks", token, body), "validation_failed", field);
            assertThat(eventCount(id)).as(field).isZero();
        });
    }

    @Test
    void create_acceptsMetadataOfExactly64KiB_andRefusesOneByteMore() {
        UUID fits = UUID.randomUUID();
        UUID over = UUID.randomUUID();

        assertThat(http.post("/api/v1/tasks", token, task(fits, "metadata", Map.of("a", "x".repeat(65_528)))).status())
                .isEqualTo(201);
        assertRefused(http.post("/api/v1/tasks", token, task(over, "metadata", Map.of("a", "x".repeat(65_529)))),
                      "validation_failed", "metadata");
        assertThat(eventCount(over)).isZero();
    }

    @Test
    void gateway_refusesACommandWithNul_sentWithoutHttp() {
        UUID id = UUID.randomUUID();
        CreateTask command = new CreateTask(id, tenant, PROJECT, TaskType.REVIEW, "a\u0000b", null, null, null, null,
                                            null, null, null, List.of(), null, "system");
        MetaData metaData = MetaData.with("tenantId", tenant.toString()).and("actorType", "system").and("actorId", "job");

        assertThatThrownBy(() -> commandGateway.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                                                                                 .andMetaData(metaData)))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.code()).isEqualTo("validation_failed");
                    assertThat(e.errors().get(0)).containsEntry("field", "title");
                });
        assertThat(eventCount(id)).isZero();
    }

    /** Process managers and future senders may skip the gateway; the guard sits on the bus. */
    @Test
    void commandBus_refusesACommandWithASecret_dispatchedDirectly() {
        UUID id = UUID.randomUUID();
        CreateTask command = new CreateTask(id, tenant, PROJECT, TaskType.REVIEW, "t", null, null, null, null, null,
                                            null, null, List.of(), Map.of("passphrase", "open sesame"), "system");

        assertThatThrownBy(() -> commandBus.dispatch(GenericCommandMessage.asCommandMessage(command)))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.code()).isEqualTo("secret_rejected");
                    assertThat(e.errors().get(0)).containsEntry("field", "metadata.passphrase");
                });
        assertThat(eventCount(id)).isZero();
    }
}
