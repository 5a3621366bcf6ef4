package dev.verity.command.task;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.guard.CommandGuard;
import dev.verity.command.platform.guard.JsonLimits;
import dev.verity.command.task.TaskCommand.AddAction;
import dev.verity.command.task.TaskCommand.AddStep;
import dev.verity.command.task.TaskCommand.AddTarget;
import dev.verity.command.task.TaskCommand.AssignTask;
import dev.verity.command.task.TaskCommand.BlockTask;
import dev.verity.command.task.TaskCommand.CompleteStep;
import dev.verity.command.task.TaskCommand.CompleteTask;
import dev.verity.command.task.TaskCommand.CreateTask;
import dev.verity.command.task.TaskCommand.FailStep;
import dev.verity.command.task.TaskCommand.SubmitAction;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskType;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every entry of {@code guard/secret-corpus.json} run through the command guard as the field of
 * a real task command: each smuggling attempt refused with {@code secret_rejected} (at the path the
 * entry names, if it names one) without quoting the value, each benign look-alike accepted.
 */
class SecretCorpusTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final UUID TASK = UUID.fromString("00000000-0000-7000-8000-0000000000aa");
    private static final UUID OTHER = UUID.fromString("00000000-0000-7000-8000-0000000000bb");

    private final CommandGuard guard = new CommandGuard(JsonLimits.defaults());

    record Case(String expect, String name, String field, Object value, String path) {
    }

    @Test
    void corpus_refusesEverySmugglingAttempt_andAcceptsEveryBenignLookAlike() throws IOException {
        List<Case> cases = load();
        List<String> failures = new ArrayList<>();
        int refused = 0;
        int accepted = 0;
        long attempts = cases.stream().filter(c -> c.expect().equals("refused")).count();
        for (Case c : cases) {
            DomainException rejection = run(c);
            if (c.expect().equals("refused")) {
                String problem = refusalProblem(c, rejection);
                if (problem == null) {
                    refused++;
                } else {
                    failures.add(c.name() + ": " + problem);
                }
            } else if (rejection == null) {
                accepted++;
            } else {
                failures.add(c.name() + ": refused (" + rejection.getMessage() + ")");
            }
        }
        System.out.printf("Secret corpus: %d of %d smuggling attempts refused, %d of %d benign look-alikes accepted%n",
                          refused, attempts, accepted, cases.size() - attempts);

        assertThat(failures).isEmpty();
        assertThat(refused).isGreaterThanOrEqualTo(50);
        assertThat(accepted).isGreaterThanOrEqualTo(30);
    }

    private static String refusalProblem(Case c, DomainException rejection) {
        if (rejection == null) {
            return "accepted";
        }
        if (!rejection.code().equals("secret_rejected")) {
            return "refused as " + rejection.code();
        }
        if (c.path() != null && !rejection.errors().get(0).get("field").equals(c.path())) {
            return "refused at " + rejection.errors().get(0).get("field") + " instead of " + c.path();
        }
        if (c.value() instanceof String text && rejection.getMessage().contains(text)) {
            return "the refusal quotes the value";
        }
        return null;
    }

    private DomainException run(Case c) {
        try {
            guard.check(command(c.field(), c.value()));
            return null;
        } catch (DomainException e) {
            return e;
        }
    }

    @SuppressWarnings("unchecked")
    private static CommandMessage<?> command(String field, Object value) {
        String text = value instanceof String s ? s : null;
        Map<String, Object> json = value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        Object payload = switch (field) {
            case "title", "description", "componentKey", "metadata", "correlationId" -> new CreateTask(
                    TASK, TENANT, OTHER, TaskType.REVIEW, field.equals("title") ? text : "t",
                    field.equals("description") ? text : null, null, null, null, null,
                    field.equals("componentKey") ? text : null, null, List.of(), json, "alice");
            case "assigneeId" -> new AssignTask(TASK, TENANT, null, AssigneeType.AGENT, text);
            case "label", "actionDescription", "config" -> new AddAction(
                    TASK, TENANT, null, OTHER, ActionType.TEXT_INPUT, field.equals("label") ? text : "Answer",
                    field.equals("actionDescription") ? text : null, json, 0);
            case "data", "idempotencyKey" -> new SubmitAction(
                    TASK, TENANT, null, OTHER, UUID.randomUUID(), field.equals("idempotencyKey") ? text : "key-1",
                    json == null ? Map.of("text", "yes") : json, "alice");
            case "targetMetadata" -> new AddTarget(TASK, TENANT, null, OTHER, TargetType.QUESTION, OTHER, json);
            case "action" -> new AddStep(TASK, TENANT, null, OTHER, text);
            case "result" -> new CompleteStep(TASK, TENANT, null, OTHER, text);
            case "error" -> new FailStep(TASK, TENANT, null, OTHER, text);
            case "reason" -> new BlockTask(TASK, TENANT, null, text);
            case "notes" -> new CompleteTask(TASK, TENANT, null, text, "alice");
            default -> throw new IllegalArgumentException("The corpus names an unknown field " + field);
        };
        MetaData metaData = MetaData.with("tenantId", TENANT.toString()).and("actorType", "user").and("actorId", "alice")
                                    .and("correlationId", field.equals("correlationId") ? text : "req-1");
        return GenericCommandMessage.asCommandMessage(payload).andMetaData(metaData);
    }

    private static List<Case> load() throws IOException {
        try (InputStream in = SecretCorpusTest.class.getResourceAsStream("/guard/secret-corpus.json")) {
            List<Map<String, Object>> entries = new ObjectMapper().readValue(in, new TypeReference<>() { });
            return entries.stream().map(e -> new Case((String) e.get("expect"), (String) e.get("case"),
                                                      (String) e.get("field"), e.get("value"), (String) e.get("path")))
                          .toList();
        }
    }
}
