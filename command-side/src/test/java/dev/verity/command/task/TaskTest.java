package dev.verity.command.task;

import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.command.task.TaskCommand.AddAction;
import dev.verity.command.task.TaskCommand.AddStep;
import dev.verity.command.task.TaskCommand.AddTarget;
import dev.verity.command.task.TaskCommand.AssignTask;
import dev.verity.command.task.TaskCommand.BlockTask;
import dev.verity.command.task.TaskCommand.CompleteStep;
import dev.verity.command.task.TaskCommand.CompleteTask;
import dev.verity.command.task.TaskCommand.CreateTask;
import dev.verity.command.task.TaskCommand.FailStep;
import dev.verity.command.task.TaskCommand.ResolveDependency;
import dev.verity.command.task.TaskCommand.StartStep;
import dev.verity.command.task.TaskCommand.StartTask;
import dev.verity.command.task.TaskCommand.SubmitAction;
import dev.verity.command.task.TaskCommand.UnblockTask;
import dev.verity.events.task.ActionType;
import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TargetType;
import dev.verity.events.task.TaskEvent.ActionSubmitted;
import dev.verity.events.task.TaskEvent.StepAdded;
import dev.verity.events.task.TaskEvent.StepCompleted;
import dev.verity.events.task.TaskEvent.StepFailed;
import dev.verity.events.task.TaskEvent.StepStarted;
import dev.verity.events.task.TaskEvent.TaskActionAdded;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.events.task.TaskEvent.TaskBlocked;
import dev.verity.events.task.TaskEvent.TaskCompleted;
import dev.verity.events.task.TaskEvent.TaskCreated;
import dev.verity.events.task.TaskEvent.TaskDependencyResolved;
import dev.verity.events.task.TaskEvent.TaskStarted;
import dev.verity.events.task.TaskEvent.TaskTargetAdded;
import dev.verity.events.task.TaskEvent.TaskUnblocked;
import dev.verity.events.task.TaskPriority;
import dev.verity.events.task.TaskStatus;
import dev.verity.events.task.TaskType;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** One given/when/then per rule of the Task aggregate. */
class TaskTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-7000-8000-000000000002");
    private static final UUID TASK = UUID.fromString("00000000-0000-7000-8000-0000000000aa");
    private static final UUID PROJECT = UUID.fromString("00000000-0000-7000-8000-0000000000bb");
    private static final UUID DEPENDENCY = UUID.fromString("00000000-0000-7000-8000-0000000000cc");
    private static final UUID DONE_DEPENDENCY = UUID.fromString("00000000-0000-7000-8000-0000000000dd");
    private static final UUID ACTION = UUID.fromString("00000000-0000-7000-8000-0000000000ee");
    private static final UUID SUBMISSION = UUID.fromString("00000000-0000-7000-8000-0000000000ff");
    private static final UUID STEP = UUID.fromString("00000000-0000-7000-8000-000000000100");

    private AggregateTestFixture<Task> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Task.class);
        fixture.registerInjectableResource(new InMemoryTaskLookup()
                                                   .with(TENANT, DEPENDENCY, false)
                                                   .with(TENANT, DONE_DEPENDENCY, true)
                                                   .with(OTHER_TENANT, PROJECT, false));
    }

    private static CreateTask create(List<UUID> dependencies) {
        return new CreateTask(TASK, TENANT, PROJECT, TaskType.REVIEW, "Review the spec", null, null, null, null,
                              null, null, null, dependencies, Map.of("source", "test"), "alice");
    }

    private static TaskCreated created(List<UUID> dependencies, List<UUID> blockedBy, TaskStatus status) {
        return new TaskCreated(TASK, TENANT, PROJECT, TaskType.REVIEW, "Review the spec", null, TaskPriority.MEDIUM,
                               null, null, null, null, null, dependencies, blockedBy, Map.of("source", "test"),
                               "alice", status);
    }

    private static TaskCreated pending() {
        return created(List.of(), List.of(), TaskStatus.PENDING);
    }

    private static DomainExceptionMatcher code(String code) {
        return new DomainExceptionMatcher(code);
    }

    private static void expectCode(ResultValidator<Task> result, String code) {
        result.expectNoEvents().expectException(code(code));
    }

    @Test
    void create_emitsTaskCreated_pendingWithDefaultPriority() {
        fixture.givenNoPriorActivity()
               .when(create(List.of()))
               .expectEvents(pending())
               .expectResultMessagePayload(new CommandResult(TASK, 0, true));
    }

    @Test
    void create_startsBlocked_whenDependenciesAreNotCompleted() {
        fixture.givenNoPriorActivity()
               .when(create(List.of(DEPENDENCY, DONE_DEPENDENCY)))
               .expectEvents(created(List.of(DEPENDENCY, DONE_DEPENDENCY), List.of(DEPENDENCY), TaskStatus.BLOCKED));
    }

    @Test
    void create_fails_withUnknownDependency_whenDependencyIsAnotherTenants() {
        UUID foreign = PROJECT;
        expectCode(fixture.givenNoPriorActivity().when(create(List.of(foreign))), "unknown_dependency");
    }

    @Test
    void create_fails_withUnknownDependency_whenTaskDependsOnItself() {
        expectCode(fixture.givenNoPriorActivity().when(create(List.of(TASK))), "unknown_dependency");
    }

    @Test
    void create_fails_withUnknownParentTask_whenParentDoesNotExist() {
        CreateTask command = new CreateTask(TASK, TENANT, PROJECT, TaskType.REVIEW, "t", null, null, null, null,
                                            null, null, UUID.randomUUID(), List.of(), null, "alice");
        expectCode(fixture.givenNoPriorActivity().when(command), "unknown_parent_task");
    }

    @Test
    void create_fails_withIllegalArgument_whenTitleIsBlank() {
        CreateTask command = new CreateTask(TASK, TENANT, PROJECT, TaskType.REVIEW, " ", null, null, null, null,
                                            null, null, null, List.of(), null, "alice");
        fixture.givenNoPriorActivity().when(command).expectException(IllegalArgumentException.class).expectNoEvents();
    }

    @Test
    void anyCommand_fails_withNotFound_whenTenantDiffers() {
        expectCode(fixture.given(pending()).when(new StartTask(TASK, OTHER_TENANT, null)), "not_found");
    }

    @Test
    void anyCommand_fails_withVersionMismatch_whenIfMatchIsStale() {
        expectCode(fixture.given(pending(), new TaskStarted(TASK)).when(new BlockTask(TASK, TENANT, 0L, "waiting")),
                   "version_mismatch");
    }

    @Test
    void anyCommand_succeeds_whenIfMatchIsCurrent() {
        fixture.given(pending(), new TaskStarted(TASK))
               .when(new BlockTask(TASK, TENANT, 1L, "waiting"))
               .expectEvents(new TaskBlocked(TASK, "waiting"))
               .expectResultMessagePayload(new CommandResult(TASK, 2, true));
    }

    @Test
    void assign_emitsTaskAssigned() {
        fixture.given(pending())
               .when(new AssignTask(TASK, TENANT, null, AssigneeType.AGENT, "agent-7"))
               .expectEvents(new TaskAssigned(TASK, AssigneeType.AGENT, "agent-7"));
    }

    @Test
    void assign_fails_withTaskCompleted_whenCompleted() {
        expectCode(fixture.given(pending(), new TaskCompleted(TASK, null, "alice"))
                          .when(new AssignTask(TASK, TENANT, null, AssigneeType.USER, "bob")), "task_completed");
    }

    @Test
    void start_emitsTaskStarted_whenPending() {
        fixture.given(pending()).when(new StartTask(TASK, TENANT, null)).expectEvents(new TaskStarted(TASK));
    }

    @Test
    void start_fails_withInvalidTransition_whenAlreadyInProgress() {
        expectCode(fixture.given(pending(), new TaskStarted(TASK)).when(new StartTask(TASK, TENANT, null)),
                   "invalid_transition");
    }

    @Test
    void start_fails_withInvalidTransition_whenBlocked() {
        expectCode(fixture.given(pending(), new TaskBlocked(TASK, "why")).when(new StartTask(TASK, TENANT, null)),
                   "invalid_transition");
    }

    @Test
    void block_fails_withInvalidTransition_whenAlreadyBlocked() {
        expectCode(fixture.given(pending(), new TaskBlocked(TASK, "why"))
                          .when(new BlockTask(TASK, TENANT, null, "again")), "invalid_transition");
    }

    @Test
    void block_fails_withTaskCompleted_whenCompleted() {
        expectCode(fixture.given(pending(), new TaskCompleted(TASK, null, "alice"))
                          .when(new BlockTask(TASK, TENANT, null, "late")), "task_completed");
    }

    @Test
    void unblock_returnsToInProgress_whenItWasStartedBeforeTheBlock() {
        fixture.given(pending(), new TaskStarted(TASK), new TaskBlocked(TASK, "why"))
               .when(new UnblockTask(TASK, TENANT, null))
               .expectEvents(new TaskUnblocked(TASK, TaskStatus.IN_PROGRESS));
    }

    @Test
    void unblock_staysBlocked_whenDependenciesAreStillOpen() {
        fixture.given(created(List.of(DEPENDENCY), List.of(DEPENDENCY), TaskStatus.BLOCKED), new TaskBlocked(TASK, "why"))
               .when(new UnblockTask(TASK, TENANT, null))
               .expectEvents(new TaskUnblocked(TASK, TaskStatus.BLOCKED));
    }

    @Test
    void unblock_fails_withInvalidTransition_whenOnlyDependenciesBlockIt() {
        expectCode(fixture.given(created(List.of(DEPENDENCY), List.of(DEPENDENCY), TaskStatus.BLOCKED))
                          .when(new UnblockTask(TASK, TENANT, null)), "invalid_transition");
    }

    @Test
    void resolveDependency_returnsToPending_whenTheLastDependencyCompletes() {
        fixture.given(created(List.of(DEPENDENCY), List.of(DEPENDENCY), TaskStatus.BLOCKED))
               .when(new ResolveDependency(TASK, TENANT, DEPENDENCY))
               .expectEvents(new TaskDependencyResolved(TASK, DEPENDENCY, List.of(), TaskStatus.PENDING));
    }

    @Test
    void resolveDependency_isANoOp_whenAlreadyResolved() {
        fixture.given(created(List.of(DEPENDENCY), List.of(DEPENDENCY), TaskStatus.BLOCKED),
                      new TaskDependencyResolved(TASK, DEPENDENCY, List.of(), TaskStatus.PENDING))
               .when(new ResolveDependency(TASK, TENANT, DEPENDENCY))
               .expectNoEvents()
               .expectResultMessagePayload(new CommandResult(TASK, 1, false));
    }

    @Test
    void complete_emitsTaskCompleted_whenInProgress() {
        fixture.given(pending(), new TaskStarted(TASK))
               .when(new CompleteTask(TASK, TENANT, null, "done", "alice"))
               .expectEvents(new TaskCompleted(TASK, "done", "alice"));
    }

    @Test
    void complete_fails_withInvalidTransition_whenBlocked() {
        expectCode(fixture.given(pending(), new TaskBlocked(TASK, "why"))
                          .when(new CompleteTask(TASK, TENANT, null, null, "alice")), "invalid_transition");
    }

    @Test
    void complete_fails_withInvalidTransition_whenAlreadyCompleted() {
        expectCode(fixture.given(pending(), new TaskCompleted(TASK, null, "alice"))
                          .when(new CompleteTask(TASK, TENANT, null, null, "alice")), "invalid_transition");
    }

    @Test
    void addAction_emitsTaskActionAdded() {
        fixture.given(pending())
               .when(new AddAction(TASK, TENANT, null, ACTION, ActionType.APPROVE_REJECT, "Approve?", null,
                                   Map.of("approveLabel", "Yes"), 1))
               .expectEvents(new TaskActionAdded(TASK, ACTION, ActionType.APPROVE_REJECT, "Approve?", null,
                                                 Map.of("approveLabel", "Yes"), 1))
               .expectResultMessagePayload(new CommandResult(ACTION, 1, true));
    }

    @Test
    void addAction_fails_withAlreadyExists_whenTheTaskHasAnActionWithThatId() {
        expectCode(fixture.given(pending(), actionAdded())
                          .when(new AddAction(TASK, TENANT, null, ACTION, ActionType.TEXT_INPUT, "Again", null,
                                              Map.of(), 0)), "already_exists");
    }

    private TaskActionAdded actionAdded() {
        return new TaskActionAdded(TASK, ACTION, ActionType.TEXT_INPUT, "Answer", null, Map.of(), 0);
    }

    @Test
    void submit_emitsActionSubmitted_forANewIdempotencyKey() {
        fixture.given(pending(), actionAdded())
               .when(new SubmitAction(TASK, TENANT, null, ACTION, SUBMISSION, "key-1", Map.of("text", "hi"), "alice"))
               .expectEvents(new ActionSubmitted(TASK, ACTION, SUBMISSION, "key-1", Map.of("text", "hi"), "alice"))
               .expectResultMessagePayload(new CommandResult(SUBMISSION, 2, true));
    }

    @Test
    void submit_answersTheFirstSubmission_withoutAnEvent_whenRetriedWithSameKeyAndData() {
        fixture.given(pending(), actionAdded(),
                      new ActionSubmitted(TASK, ACTION, SUBMISSION, "key-1", Map.of("text", "hi"), "alice"))
               .when(new SubmitAction(TASK, TENANT, null, ACTION, UUID.randomUUID(), "key-1", Map.of("text", "hi"), "alice"))
               .expectNoEvents()
               .expectResultMessagePayload(new CommandResult(SUBMISSION, 2, false));
    }

    @Test
    void submit_fails_withIdempotencyConflict_whenSameKeyCarriesOtherData() {
        expectCode(fixture.given(pending(), actionAdded(),
                                 new ActionSubmitted(TASK, ACTION, SUBMISSION, "key-1", Map.of("text", "hi"), "alice"))
                          .when(new SubmitAction(TASK, TENANT, null, ACTION, UUID.randomUUID(), "key-1",
                                                 Map.of("text", "bye"), "alice")), "idempotency_conflict");
    }

    @Test
    void submit_fails_withAlreadyExists_whenTheSubmissionIdWasUsedBefore() {
        expectCode(fixture.given(pending(), actionAdded(),
                                 new ActionSubmitted(TASK, ACTION, SUBMISSION, "key-1", Map.of("text", "hi"), "alice"))
                          .when(new SubmitAction(TASK, TENANT, null, ACTION, SUBMISSION, "key-2", Map.of("text", "hi"),
                                                 "alice")), "already_exists");
    }

    @Test
    void submit_fails_withActionNotFound_whenActionIsUnknown() {
        expectCode(fixture.given(pending())
                          .when(new SubmitAction(TASK, TENANT, null, ACTION, SUBMISSION, "k", Map.of(), "alice")),
                   "action_not_found");
    }

    @Test
    void addTarget_emitsTaskTargetAdded() {
        UUID row = UUID.randomUUID();
        UUID question = UUID.randomUUID();
        fixture.given(pending())
               .when(new AddTarget(TASK, TENANT, null, row, TargetType.SPEC_SECTION, question, null))
               .expectEvents(new TaskTargetAdded(TASK, row, TargetType.SPEC_SECTION, question, Map.of()));
    }

    @Test
    void addTarget_fails_withAlreadyExists_whenTheTaskHasATargetWithThatId() {
        UUID row = UUID.randomUUID();
        expectCode(fixture.given(pending(), new TaskTargetAdded(TASK, row, TargetType.SPEC_SECTION, UUID.randomUUID(),
                                                                Map.of()))
                          .when(new AddTarget(TASK, TENANT, null, row, TargetType.SPEC_SECTION, UUID.randomUUID(), null)),
                   "already_exists");
    }

    @Test
    void addStep_fails_withAlreadyExists_whenTheTaskHasAStepWithThatId() {
        expectCode(fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"))
                          .when(new AddStep(TASK, TENANT, null, STEP, "fetch again")), "already_exists");
    }

    @Test
    void addStep_emitsStepAdded() {
        fixture.given(pending())
               .when(new AddStep(TASK, TENANT, null, STEP, "fetch data"))
               .expectEvents(new StepAdded(TASK, STEP, "fetch data"));
    }

    @Test
    void startStep_emitsStepStarted_withZeroRetries_whenPending() {
        fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"))
               .when(new StartStep(TASK, TENANT, null, STEP))
               .expectEvents(new StepStarted(TASK, STEP, 0));
    }

    @Test
    void startStep_incrementsRetryCount_whenStepFailedBefore() {
        fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"), new StepStarted(TASK, STEP, 0),
                      new StepFailed(TASK, STEP, "timeout"), new StepStarted(TASK, STEP, 1),
                      new StepFailed(TASK, STEP, "timeout"))
               .when(new StartStep(TASK, TENANT, null, STEP))
               .expectEvents(new StepStarted(TASK, STEP, 2));
    }

    @Test
    void startStep_fails_withInvalidTransition_whenExecuting() {
        expectCode(fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"), new StepStarted(TASK, STEP, 0))
                          .when(new StartStep(TASK, TENANT, null, STEP)), "invalid_transition");
    }

    @Test
    void startStep_fails_withStepNotFound_whenStepIsUnknown() {
        expectCode(fixture.given(pending()).when(new StartStep(TASK, TENANT, null, STEP)), "step_not_found");
    }

    @Test
    void completeStep_emitsStepCompleted_whenExecuting() {
        fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"), new StepStarted(TASK, STEP, 0))
               .when(new CompleteStep(TASK, TENANT, null, STEP, "42 rows"))
               .expectEvents(new StepCompleted(TASK, STEP, "42 rows"));
    }

    @Test
    void completeStep_fails_withInvalidTransition_whenPending() {
        expectCode(fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"))
                          .when(new CompleteStep(TASK, TENANT, null, STEP, "x")), "invalid_transition");
    }

    @Test
    void failStep_emitsStepFailed_whenExecuting() {
        fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"), new StepStarted(TASK, STEP, 0))
               .when(new FailStep(TASK, TENANT, null, STEP, "timeout"))
               .expectEvents(new StepFailed(TASK, STEP, "timeout"));
    }

    @Test
    void failStep_fails_withInvalidTransition_whenCompleted() {
        expectCode(fixture.given(pending(), new StepAdded(TASK, STEP, "fetch"), new StepStarted(TASK, STEP, 0),
                                 new StepCompleted(TASK, STEP, "ok"))
                          .when(new FailStep(TASK, TENANT, null, STEP, "late")), "invalid_transition");
    }

    @Test
    void domainExceptionMatcher_readsTheCode() {
        assertThat(code("x").matches(DomainException.conflict("x", "m"))).isTrue();
        assertThat(code("x").matches(DomainException.conflict("y", "m"))).isFalse();
    }
}
