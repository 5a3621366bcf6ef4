package dev.verity.command.execution;

import dev.verity.command.budget.BudgetLimits;
import dev.verity.command.execution.AgentExecutionCommand.AdvanceStep;
import dev.verity.command.execution.AgentExecutionCommand.CheckpointContent;
import dev.verity.command.execution.AgentExecutionCommand.CompleteExecution;
import dev.verity.command.execution.AgentExecutionCommand.CreateCheckpoint;
import dev.verity.command.execution.AgentExecutionCommand.CreateExecution;
import dev.verity.command.execution.AgentExecutionCommand.FailExecution;
import dev.verity.command.execution.AgentExecutionCommand.PauseExecution;
import dev.verity.command.execution.AgentExecutionCommand.RaiseLimits;
import dev.verity.command.execution.AgentExecutionCommand.ReportUsage;
import dev.verity.command.execution.AgentExecutionCommand.ResumeExecution;
import dev.verity.command.execution.AgentExecutionCommand.StartExecution;
import dev.verity.command.execution.ExecutionResults.CheckpointResult;
import dev.verity.command.execution.ExecutionResults.UsageResult;
import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.events.budget.OnLimitReached;
import dev.verity.events.execution.AgentDescriptor;
import dev.verity.events.execution.AgentExecutionEvent.BudgetLimitReached;
import dev.verity.events.execution.AgentExecutionEvent.BudgetWarningReached;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointCreated;
import dev.verity.events.execution.AgentExecutionEvent.CheckpointExpired;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCompleted;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionCreated;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionFailed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionPaused;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionResumed;
import dev.verity.events.execution.AgentExecutionEvent.ExecutionStarted;
import dev.verity.events.execution.AgentExecutionEvent.LimitsRaised;
import dev.verity.events.execution.AgentExecutionEvent.StepAdvanced;
import dev.verity.events.execution.AgentExecutionEvent.UsageRecorded;
import dev.verity.events.execution.BudgetLimit;
import dev.verity.events.execution.BudgetState;
import dev.verity.events.execution.CheckpointState;
import dev.verity.events.execution.ExecutionStatus;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.hamcrest.Description;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One given/when/then per rule of the AgentExecution aggregate: transitions, budget crossings, checkpoints. */
class AgentExecutionTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-7000-8000-000000000002");
    private static final UUID EXECUTION = UUID.fromString("00000000-0000-7000-8000-0000000000aa");
    private static final UUID PROJECT = UUID.fromString("00000000-0000-7000-8000-0000000000bb");
    private static final UUID BUDGETED_PROJECT = UUID.fromString("00000000-0000-7000-8000-0000000000cc");
    private static final UUID CHECKPOINT = UUID.fromString("00000000-0000-7000-8000-0000000000dd");
    private static final List<AgentDescriptor> AGENTS = List.of(new AgentDescriptor("planner", "lead", "idle"));
    private static final BudgetLimits PROJECT_BUDGET =
            new BudgetLimits(2_000, new BigDecimal("3.5000"), new BigDecimal("0.50"), OnLimitReached.FAIL);

    private AggregateTestFixture<AgentExecution> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(AgentExecution.class);
        fixture.registerInjectableResource(new InMemoryBudgetLookup().with(TENANT, BUDGETED_PROJECT, PROJECT_BUDGET));
    }

    private static CreateExecution create(UUID project, Long tokensLimit, String costLimit) {
        return new CreateExecution(EXECUTION, TENANT, project, "sequential", AGENTS, 3L, tokensLimit,
                                   costLimit == null ? null : new BigDecimal(costLimit), "alice");
    }

    /** 1000 tokens and 10.0000 USD, warning at 80 %, with the given policy. */
    private static ExecutionCreated created(OnLimitReached mode) {
        return new ExecutionCreated(EXECUTION, TENANT, PROJECT, "sequential", AGENTS, 3, 1_000, new BigDecimal("10.0000"),
                                    new BigDecimal("0.80"), mode, "alice");
    }

    private static ExecutionStarted started() {
        return new ExecutionStarted(EXECUTION);
    }

    private static ReportUsage usage(long tokens, String cost) {
        return new ReportUsage(EXECUTION, TENANT, null, tokens, new BigDecimal(cost), "planner");
    }

    private static UsageRecorded recorded(long tokens, String cost, long total, String totalCost, BudgetState state) {
        return new UsageRecorded(EXECUTION, tokens, new BigDecimal(cost), "planner", total, new BigDecimal(totalCost),
                                 state);
    }

    private static CreateCheckpoint checkpoint(long stepIndex, Duration ttl) {
        return new CreateCheckpoint(EXECUTION, TENANT, null, CHECKPOINT, stepIndex, "draft",
                                    new CheckpointContent(List.of("research"), List.of("draft"),
                                                          Map.of("outline", "v1"), Map.of("planner", "idle")), ttl);
    }

    private CheckpointCreated checkpointCreated(int stepIndex, long tokensUsed, String costIncurred, Instant expiresAt) {
        return new CheckpointCreated(EXECUTION, CHECKPOINT, stepIndex, "draft",
                                     new CheckpointState(List.of("research"), List.of("draft"), Map.of("outline", "v1"),
                                                         Map.of("planner", "idle"), tokensUsed,
                                                         new BigDecimal(costIncurred)), expiresAt);
    }

    private static void expectCode(ResultValidator<AgentExecution> result, String code) {
        result.expectNoEvents().expectException(new CodeMatcher(code, null));
    }

    private static void expectField(ResultValidator<AgentExecution> result, String field) {
        result.expectNoEvents().expectException(new CodeMatcher("validation_failed", field));
    }

    // creation

    @Test
    void create_takesLimitsAndPolicyFromTheProjectsBudget_whenTheRequestNamesNone() {
        fixture.givenNoPriorActivity()
               .when(create(BUDGETED_PROJECT, null, null))
               .expectEvents(new ExecutionCreated(EXECUTION, TENANT, BUDGETED_PROJECT, "sequential", AGENTS, 3, 2_000,
                                                  new BigDecimal("3.5000"), new BigDecimal("0.50"), OnLimitReached.FAIL,
                                                  "alice"))
               .expectResultMessagePayload(new CommandResult(EXECUTION, 0, true));
    }

    @Test
    void create_takesTheSeedDefaults_whenTheProjectHasNoBudget() {
        fixture.givenNoPriorActivity()
               .when(create(PROJECT, null, null))
               .expectEvents(new ExecutionCreated(EXECUTION, TENANT, PROJECT, "sequential", AGENTS, 3, 100_000,
                                                  new BigDecimal("5.00"), new BigDecimal("0.80"), OnLimitReached.PAUSE,
                                                  "alice"));
    }

    @Test
    void create_prefersTheRequestsLimits_overTheBudgets() {
        fixture.givenNoPriorActivity()
               .when(create(BUDGETED_PROJECT, 10L, "0.25"))
               .expectEvents(new ExecutionCreated(EXECUTION, TENANT, BUDGETED_PROJECT, "sequential", AGENTS, 3, 10,
                                                  new BigDecimal("0.25"), new BigDecimal("0.50"), OnLimitReached.FAIL,
                                                  "alice"));
    }

    @Test
    void create_fails_withValidationFailed_whenCostLimitHasFiveDecimals() {
        expectField(fixture.givenNoPriorActivity().when(create(PROJECT, null, "0.00001")), "costLimit");
    }

    @Test
    void create_fails_withValidationFailed_whenTokensLimitIsZero() {
        expectField(fixture.givenNoPriorActivity().when(create(PROJECT, 0L, null)), "tokensLimit");
    }

    @Test
    void create_fails_withValidationFailed_whenAnAgentHasABlankName() {
        CreateExecution command = new CreateExecution(EXECUTION, TENANT, PROJECT, "sequential",
                                                      List.of(new AgentDescriptor(" ", "lead", "idle")), null, null,
                                                      null, "alice");
        expectField(fixture.givenNoPriorActivity().when(command), "agents[0].name");
    }

    @Test
    void create_fails_withValidationFailed_whenTotalStepsIsZero() {
        CreateExecution command = new CreateExecution(EXECUTION, TENANT, PROJECT, "sequential", AGENTS, 0L, null, null,
                                                      "alice");
        expectField(fixture.givenNoPriorActivity().when(command), "totalSteps");
    }

    @Test
    void anyCommand_fails_withNotFound_whenTenantDiffers() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE)).when(new StartExecution(EXECUTION, OTHER_TENANT, null)),
                   "not_found");
    }

    @Test
    void anyCommand_fails_withVersionMismatch_whenIfMatchIsStale() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE)).when(new StartExecution(EXECUTION, TENANT, 5L)),
                   "version_mismatch");
    }

    // transitions

    @Test
    void start_runs_aPendingExecution() {
        fixture.given(created(OnLimitReached.PAUSE)).when(new StartExecution(EXECUTION, TENANT, null))
               .expectEvents(started());
    }

    @Test
    void start_fails_withInvalidTransition_whenAlreadyRunning() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started())
                          .when(new StartExecution(EXECUTION, TENANT, null)), "invalid_transition");
    }

    @Test
    void step_advancesTheCurrentStep_mergingResultsAndReplacingAgents() {
        List<AgentDescriptor> agents = List.of(new AgentDescriptor("writer", "author", "busy"));
        fixture.given(created(OnLimitReached.PAUSE), started())
               .when(new AdvanceStep(EXECUTION, TENANT, null, "research", agents, Map.of("sources", 3)))
               .expectEvents(new StepAdvanced(EXECUTION, 1, "research", agents, Map.of("sources", 3)));
    }

    @Test
    void step_fails_withTotalStepsReached_atTheLastStep() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(),
                                 new StepAdvanced(EXECUTION, 1, "a", null, null),
                                 new StepAdvanced(EXECUTION, 2, "b", null, null),
                                 new StepAdvanced(EXECUTION, 3, "c", null, null))
                          .when(new AdvanceStep(EXECUTION, TENANT, null, "d", null, null)), "total_steps_reached");
    }

    @Test
    void step_fails_withInvalidTransition_whenPending() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE)).when(new AdvanceStep(EXECUTION, TENANT, null, "a", null,
                                                                                     null)), "invalid_transition");
    }

    @Test
    void pause_pausesARunningExecution_andFailsWhenPaused() {
        fixture.given(created(OnLimitReached.PAUSE), started()).when(new PauseExecution(EXECUTION, TENANT, null))
               .expectEvents(new ExecutionPaused(EXECUTION, "requested"));
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionPaused(EXECUTION, "requested"))
                          .when(new PauseExecution(EXECUTION, TENANT, null)), "invalid_transition");
    }

    @Test
    void resume_runsAPausedExecution_andFailsWhenRunning() {
        fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionPaused(EXECUTION, "requested"))
               .when(new ResumeExecution(EXECUTION, TENANT, null, null))
               .expectEvents(new ExecutionResumed(EXECUTION, null, null, null));
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started())
                          .when(new ResumeExecution(EXECUTION, TENANT, null, null)), "invalid_transition");
    }

    @Test
    void complete_completesARunningExecution_andFailsWhenPaused() {
        fixture.given(created(OnLimitReached.PAUSE), started())
               .when(new CompleteExecution(EXECUTION, TENANT, null, Map.of("answer", 42)))
               .expectEvents(new ExecutionCompleted(EXECUTION, Map.of("answer", 42)));
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionPaused(EXECUTION, "requested"))
                          .when(new CompleteExecution(EXECUTION, TENANT, null, null)), "invalid_transition");
    }

    @Test
    void fail_failsAPendingExecution_andFailsWhenCompleted() {
        fixture.given(created(OnLimitReached.PAUSE)).when(new FailExecution(EXECUTION, TENANT, null, Map.of("why", "x")))
               .expectEvents(new ExecutionFailed(EXECUTION, Map.of("why", "x")));
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionCompleted(EXECUTION, null))
                          .when(new FailExecution(EXECUTION, TENANT, null, Map.of("why", "x"))), "invalid_transition");
    }

    // usage and budget crossings

    @Test
    void usage_addsToTheTotals_andAnswersOk_belowTheThreshold() {
        fixture.given(created(OnLimitReached.PAUSE), started(), recorded(100, "1.0000", 100, "1.0000", BudgetState.OK))
               .when(usage(200, "0.5"))
               .expectEvents(recorded(200, "0.5", 300, "1.5000", BudgetState.OK))
               .expectResultMessagePayload(new UsageResult(EXECUTION, 3, 300, new BigDecimal("1.5000"), BudgetState.OK,
                                                           ExecutionStatus.RUNNING));
    }

    @Test
    void usage_crossingTheWarningThreshold_recordsOneWarning() {
        fixture.given(created(OnLimitReached.PAUSE), started())
               .when(usage(800, "0"))
               .expectEvents(recorded(800, "0", 800, "0", BudgetState.WARNING),
                             new BudgetWarningReached(EXECUTION, BudgetLimit.TOKENS, 800, new BigDecimal("0")));
    }

    @Test
    void usage_pastTheWarningThreshold_recordsNoSecondWarning() {
        fixture.given(created(OnLimitReached.PAUSE), started(), recorded(800, "0", 800, "0", BudgetState.WARNING),
                      new BudgetWarningReached(EXECUTION, BudgetLimit.TOKENS, 800, BigDecimal.ZERO))
               .when(usage(0, "8.5"))
               .expectEvents(recorded(0, "8.5", 800, "8.5", BudgetState.WARNING));
    }

    @Test
    void usage_reachingALimit_withPause_recordsTheReportThenPauses() {
        fixture.given(created(OnLimitReached.PAUSE), started(), recorded(800, "0", 800, "0", BudgetState.WARNING),
                      new BudgetWarningReached(EXECUTION, BudgetLimit.TOKENS, 800, BigDecimal.ZERO))
               .when(usage(200, "0"))
               .expectEvents(recorded(200, "0", 1000, "0", BudgetState.EXCEEDED),
                             new BudgetLimitReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO,
                                                    OnLimitReached.PAUSE),
                             new ExecutionPaused(EXECUTION, "budget_exceeded"))
               .expectResultMessagePayload(new UsageResult(EXECUTION, 6, 1000, BigDecimal.ZERO, BudgetState.EXCEEDED,
                                                           ExecutionStatus.PAUSED));
    }

    @Test
    void usage_reachingALimit_withFail_failsWithBudgetExceeded() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", "budget_exceeded");
        error.put("limit", "cost");
        error.put("message", "The execution reached its cost limit");
        fixture.given(created(OnLimitReached.FAIL), started())
               .when(usage(1, "10.0000"))
               .expectEvents(recorded(1, "10.0000", 1, "10.0000", BudgetState.EXCEEDED),
                             new BudgetWarningReached(EXECUTION, BudgetLimit.COST, 1, new BigDecimal("10.0000")),
                             new BudgetLimitReached(EXECUTION, BudgetLimit.COST, 1, new BigDecimal("10.0000"),
                                                    OnLimitReached.FAIL),
                             new ExecutionFailed(EXECUTION, error));
    }

    @Test
    void usage_reachingALimit_withWarn_recordsItOnce_andGoesOn() {
        fixture.given(created(OnLimitReached.WARN), started())
               .when(usage(1000, "0"))
               .expectEvents(recorded(1000, "0", 1000, "0", BudgetState.EXCEEDED),
                             new BudgetWarningReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO),
                             new BudgetLimitReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO,
                                                    OnLimitReached.WARN));
        fixture.given(created(OnLimitReached.WARN), started(), recorded(1000, "0", 1000, "0", BudgetState.EXCEEDED),
                      new BudgetWarningReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO),
                      new BudgetLimitReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO, OnLimitReached.WARN))
               .when(usage(5, "0"))
               .expectEvents(recorded(5, "0", 1005, "0", BudgetState.EXCEEDED));
    }

    @Test
    void usage_fails_withExecutionNotRunning_whenPausedPendingCompletedOrFailed() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE)).when(usage(1, "0")), "execution_not_running");
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionPaused(EXECUTION, "requested"))
                          .when(usage(1, "0")), "execution_not_running");
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionCompleted(EXECUTION, null))
                          .when(usage(1, "0")), "execution_not_running");
        expectCode(fixture.given(created(OnLimitReached.PAUSE), new ExecutionFailed(EXECUTION, Map.of()))
                          .when(usage(1, "0")), "execution_not_running");
    }

    @Test
    void usage_fails_withValidationFailed_whenCostHasFiveDecimals_insteadOfRounding() {
        expectField(fixture.given(created(OnLimitReached.PAUSE), started()).when(usage(1, "0.00005")), "costUsd");
    }

    @Test
    void usage_fails_withValidationFailed_whenNegative() {
        expectField(fixture.given(created(OnLimitReached.PAUSE), started()).when(usage(-1, "0")), "tokens");
        expectField(fixture.given(created(OnLimitReached.PAUSE), started()).when(usage(0, "-0.01")), "costUsd");
    }

    @Test
    void usage_fails_withValidationFailed_whenTheTotalWouldPassWhatItsColumnHolds() {
        expectField(fixture.given(created(OnLimitReached.WARN), started(),
                                  recorded(2_000_000_000L, "0", 2_000_000_000L, "0", BudgetState.EXCEEDED))
                           .when(usage(200_000_000L, "0")), "tokens");
        expectField(fixture.given(created(OnLimitReached.WARN), started(),
                                  recorded(0, "999999", 0, "999999", BudgetState.EXCEEDED))
                           .when(usage(0, "1")), "costUsd");
    }

    // limits

    @Test
    void limits_raiseTheLimits_andResetTheBudgetState() {
        fixture.given(created(OnLimitReached.PAUSE), started(), recorded(1000, "0", 1000, "0", BudgetState.EXCEEDED),
                      new BudgetLimitReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO, OnLimitReached.PAUSE),
                      new ExecutionPaused(EXECUTION, "budget_exceeded"))
               .when(new RaiseLimits(EXECUTION, TENANT, null, 2000L, null))
               .expectEvents(new LimitsRaised(EXECUTION, 2000, new BigDecimal("10.0000"), BudgetState.OK));
    }

    @Test
    void limits_fail_withValidationFailed_whenLowerThanTheCurrentLimit() {
        expectField(fixture.given(created(OnLimitReached.PAUSE), started())
                           .when(new RaiseLimits(EXECUTION, TENANT, null, 999L, null)), "tokensLimit");
        expectField(fixture.given(created(OnLimitReached.PAUSE), started())
                           .when(new RaiseLimits(EXECUTION, TENANT, null, null, new BigDecimal("9.9999"))), "costLimit");
    }

    @Test
    void limits_fail_withInvalidTransition_whenCompleted() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionCompleted(EXECUTION, null))
                          .when(new RaiseLimits(EXECUTION, TENANT, null, 2000L, null)), "invalid_transition");
    }

    @Test
    void resume_fails_withBudgetExceeded_untilTheLimitIsRaised() {
        Object[] pausedAtLimit = {created(OnLimitReached.PAUSE), started(),
                recorded(1000, "0", 1000, "0", BudgetState.EXCEEDED),
                new BudgetLimitReached(EXECUTION, BudgetLimit.TOKENS, 1000, BigDecimal.ZERO, OnLimitReached.PAUSE),
                new ExecutionPaused(EXECUTION, "budget_exceeded")};
        expectCode(fixture.given(pausedAtLimit).when(new ResumeExecution(EXECUTION, TENANT, null, null)),
                   "budget_exceeded");
        fixture.given(pausedAtLimit)
               .andGiven(new LimitsRaised(EXECUTION, 5000, new BigDecimal("10.0000"), BudgetState.OK))
               .when(new ResumeExecution(EXECUTION, TENANT, null, null))
               .expectEvents(new ExecutionResumed(EXECUTION, null, null, null));
    }

    // checkpoints

    @Test
    void checkpoint_recordsTheStateWithTheExecutionsUsage_andSchedulesItsExpiry() {
        Instant now = fixture.currentTime();
        fixture.given(created(OnLimitReached.PAUSE), started(), new StepAdvanced(EXECUTION, 1, "research", null, null),
                      recorded(10, "0.1000", 10, "0.1000", BudgetState.OK))
               .when(checkpoint(1, Duration.ofHours(2)))
               .expectEvents(checkpointCreated(1, 10, "0.1000", now.plus(Duration.ofHours(2))))
               .expectScheduledDeadlineWithName(Duration.ofHours(2), CheckpointExpiry.DEADLINE)
               .expectResultMessagePayload(new CheckpointResult(CHECKPOINT, 4, now.plus(Duration.ofHours(2))));
    }

    @Test
    void checkpoint_fails_whenItsStepIsAheadOfTheExecution() {
        expectField(fixture.given(created(OnLimitReached.PAUSE), started()).when(checkpoint(1, Duration.ofHours(1))),
                    "stepIndex");
    }

    @Test
    void checkpoint_fails_withInvalidTransition_whenPending() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE)).when(checkpoint(0, Duration.ofHours(1))),
                   "invalid_transition");
    }

    @Test
    void checkpoint_fails_withAlreadyExists_whenItsIdIsTaken() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(),
                                 checkpointCreated(0, 0, "0", fixture.currentTime().plusSeconds(60)))
                          .when(checkpoint(0, Duration.ofHours(1))), "already_exists");
    }

    @Test
    void checkpoint_expires_whenItsDeadlineFires() {
        fixture.given(created(OnLimitReached.PAUSE), started())
               .andGivenCommands(checkpoint(0, Duration.ofMinutes(5)))
               .whenTimeElapses(Duration.ofMinutes(6))
               .expectTriggeredDeadlinesWithName(CheckpointExpiry.DEADLINE)
               .expectEvents(new CheckpointExpired(EXECUTION, CHECKPOINT));
    }

    @Test
    void resume_fromACheckpoint_restoresItsStepAndResults_keepingUsage() {
        fixture.given(created(OnLimitReached.PAUSE), started(),
                      checkpointCreated(1, 10, "0.1000", fixture.currentTime().plusSeconds(600)),
                      new StepAdvanced(EXECUTION, 2, "draft", null, null),
                      recorded(500, "1.0000", 510, "1.1000", BudgetState.OK),
                      new ExecutionPaused(EXECUTION, "requested"))
               .when(new ResumeExecution(EXECUTION, TENANT, null, CHECKPOINT))
               .expectEvents(new ExecutionResumed(EXECUTION, CHECKPOINT, 1, Map.of("outline", "v1")));
    }

    @Test
    void resume_fails_withCheckpointExpired_afterTheExpiryEvent() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(),
                                 checkpointCreated(0, 0, "0", fixture.currentTime().plusSeconds(600)),
                                 new CheckpointExpired(EXECUTION, CHECKPOINT),
                                 new ExecutionPaused(EXECUTION, "requested"))
                          .when(new ResumeExecution(EXECUTION, TENANT, null, CHECKPOINT)), "checkpoint_expired");
    }

    @Test
    void resume_fails_withCheckpointExpired_onceDue_evenBeforeTheDeadlineFired() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(),
                                 checkpointCreated(0, 0, "0", fixture.currentTime().minusSeconds(1)),
                                 new ExecutionPaused(EXECUTION, "requested"))
                          .when(new ResumeExecution(EXECUTION, TENANT, null, CHECKPOINT)), "checkpoint_expired");
    }

    @Test
    void resume_fails_withCheckpointNotFound_forAnUnknownCheckpoint() {
        expectCode(fixture.given(created(OnLimitReached.PAUSE), started(), new ExecutionPaused(EXECUTION, "requested"))
                          .when(new ResumeExecution(EXECUTION, TENANT, null, CHECKPOINT)), "checkpoint_not_found");
    }

    /** A rejection by its stable code and, for input problems, the field it names. */
    private static final class CodeMatcher extends TypeSafeMatcher<Throwable> {

        private final String code;
        private final String field;

        CodeMatcher(String code, String field) {
            this.code = code;
            this.field = field;
        }

        @Override
        protected boolean matchesSafely(Throwable item) {
            return item instanceof DomainException domain && domain.code().equals(code)
                   && (field == null || domain.errors().stream().anyMatch(error -> field.equals(error.get("field"))));
        }

        @Override
        public void describeTo(Description description) {
            description.appendText("DomainException with code ").appendValue(code).appendText(" naming ").appendValue(field);
        }
    }
}
