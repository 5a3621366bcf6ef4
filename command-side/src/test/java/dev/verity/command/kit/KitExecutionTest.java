package dev.verity.command.kit;

import dev.verity.command.kit.KitExecutionCommand.CompleteKitExecution;
import dev.verity.command.kit.KitExecutionCommand.CreateKitExecution;
import dev.verity.command.kit.KitExecutionCommand.FailKitExecution;
import dev.verity.command.kit.KitExecutionCommand.RecordKitOutput;
import dev.verity.command.kit.KitExecutionCommand.StartKitExecution;
import dev.verity.command.platform.CommandResult;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCompleted;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionCreated;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionFailed;
import dev.verity.events.kit.KitExecutionEvent.KitExecutionStarted;
import dev.verity.events.kit.KitExecutionEvent.KitOutputRecorded;
import dev.verity.events.kit.KitExecutionStatus;
import dev.verity.events.kit.KitOutputStatus;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

/** One given/when/then per rule of the KitExecution aggregate. */
class KitExecutionTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-7000-8000-000000000002");
    private static final UUID EXECUTION = UUID.fromString("00000000-0000-7000-8000-0000000000aa");
    private static final UUID PROJECT = UUID.fromString("00000000-0000-7000-8000-0000000000bb");
    private static final UUID DEFINITION = UUID.fromString("00000000-0000-7000-8000-0000000000cc");
    private static final UUID OUTPUT_ROW = UUID.fromString("00000000-0000-7000-8000-0000000000dd");
    private static final UUID OTHER_OUTPUT_ROW = UUID.fromString("00000000-0000-7000-8000-0000000000ee");
    private static final String HASH = "a".repeat(64);
    private static final Map<String, Object> SNAPSHOT = Map.of("brief", "A landing page", "pages", 3);

    private AggregateTestFixture<KitExecution> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(KitExecution.class);
    }

    private static CreateKitExecution create() {
        return new CreateKitExecution(EXECUTION, TENANT, PROJECT, "alice", DEFINITION, "landing-page", "1.2.0",
                                      SNAPSHOT, "wf-1", "inngest-1");
    }

    private static KitExecutionCreated created() {
        return new KitExecutionCreated(EXECUTION, TENANT, PROJECT, "alice", DEFINITION, "landing-page", "1.2.0",
                                       SNAPSHOT, "wf-1", "inngest-1");
    }

    private static KitExecutionStarted started() {
        return new KitExecutionStarted(EXECUTION);
    }

    private static RecordKitOutput output(UUID rowId, String outputId, KitOutputStatus status, int prompt,
                                          int completion) {
        return new RecordKitOutput(EXECUTION, TENANT, null, rowId, outputId, outputId + ".html", "html", status,
                                   1, 2, 3, 1, Map.of("rules", 12), "s3://bucket/" + outputId, 2048, HASH,
                                   prompt, completion);
    }

    private static KitOutputRecorded recorded(UUID rowId, String outputId, KitOutputStatus status, int prompt,
                                              int completion) {
        return new KitOutputRecorded(EXECUTION, rowId, outputId, outputId + ".html", "html", status, 1, 2, 3, 1,
                                     Map.of("rules", 12), "s3://bucket/" + outputId, 2048, HASH, prompt, completion);
    }

    private static CompleteKitExecution complete(BigDecimal cost) {
        return new CompleteKitExecution(EXECUTION, TENANT, null, cost, "s3://bucket/bundle.zip", 4096);
    }

    private static FailKitExecution fail() {
        return new FailKitExecution(EXECUTION, TENANT, null, "renderer crashed", "render", Map.of("exitCode", 137));
    }

    private static DomainExceptionMatcher code(String code) {
        return new DomainExceptionMatcher(code, null);
    }

    private static void expectCode(ResultValidator<KitExecution> result, String code) {
        result.expectNoEvents().expectException(code(code));
    }

    private static void expectField(ResultValidator<KitExecution> result, String field) {
        result.expectNoEvents().expectException(new DomainExceptionMatcher("validation_failed", field));
    }

    @Test
    void create_emitsKitExecutionCreated_pendingWithTheActorAsUser() {
        fixture.givenNoPriorActivity()
               .when(create())
               .expectEvents(created())
               .expectResultMessagePayload(new CommandResult(EXECUTION, 0, true));
    }

    @Test
    void create_fails_withIllegalArgument_whenKitIdIsBlank() {
        fixture.givenNoPriorActivity()
               .when(new CreateKitExecution(EXECUTION, TENANT, PROJECT, "alice", null, " ", "1", SNAPSHOT, null, null))
               .expectException(IllegalArgumentException.class).expectNoEvents();
    }

    @Test
    void create_fails_withIllegalArgument_whenKitVersionIsLongerThanItsColumn() {
        fixture.givenNoPriorActivity()
               .when(new CreateKitExecution(EXECUTION, TENANT, PROJECT, "alice", null, "kit", "1".repeat(51), SNAPSHOT,
                                            null, null))
               .expectException(IllegalArgumentException.class).expectNoEvents();
    }

    @Test
    void create_fails_withIllegalArgument_withoutInputSnapshot() {
        fixture.givenNoPriorActivity()
               .when(new CreateKitExecution(EXECUTION, TENANT, PROJECT, "alice", null, "kit", "1", null, null, null))
               .expectException(IllegalArgumentException.class).expectNoEvents();
    }

    @Test
    void anyCommand_fails_withNotFound_whenTenantDiffers() {
        expectCode(fixture.given(created()).when(new StartKitExecution(EXECUTION, OTHER_TENANT, null)), "not_found");
    }

    @Test
    void anyCommand_fails_withVersionMismatch_whenIfMatchIsStale() {
        expectCode(fixture.given(created(), started())
                          .when(new FailKitExecution(EXECUTION, TENANT, 0L, "boom", null, null)), "version_mismatch");
    }

    @Test
    void anyCommand_succeeds_whenIfMatchIsCurrent() {
        fixture.given(created(), started())
               .when(new FailKitExecution(EXECUTION, TENANT, 1L, "boom", null, null))
               .expectEvents(new KitExecutionFailed(EXECUTION, "boom", null, null))
               .expectResultMessagePayload(new CommandResult(EXECUTION, 2, true));
    }

    @Test
    void start_emitsKitExecutionStarted_whenPending() {
        fixture.given(created())
               .when(new StartKitExecution(EXECUTION, TENANT, null))
               .expectEvents(started())
               .expectResultMessagePayload(new CommandResult(EXECUTION, 1, true));
    }

    @Test
    void start_fails_withInvalidTransition_whenAlreadyRunning() {
        expectCode(fixture.given(created(), started()).when(new StartKitExecution(EXECUTION, TENANT, null)),
                   "invalid_transition");
    }

    @Test
    void start_fails_withInvalidTransition_whenFinished() {
        expectCode(fixture.given(created(), new KitExecutionFailed(EXECUTION, "boom", null, null))
                          .when(new StartKitExecution(EXECUTION, TENANT, null)), "invalid_transition");
    }

    @Test
    void recordOutput_emitsKitOutputRecorded_withTheRowId_whenRunning() {
        fixture.given(created(), started())
               .when(output(OUTPUT_ROW, "hero", KitOutputStatus.VALID, 100, 50))
               .expectEvents(recorded(OUTPUT_ROW, "hero", KitOutputStatus.VALID, 100, 50))
               .expectResultMessagePayload(new CommandResult(OUTPUT_ROW, 2, true));
    }

    @Test
    void recordOutput_fails_withInvalidTransition_whenPending() {
        expectCode(fixture.given(created()).when(output(OUTPUT_ROW, "hero", KitOutputStatus.VALID, 1, 1)),
                   "invalid_transition");
    }

    @Test
    void recordOutput_fails_withInvalidTransition_whenCompleted() {
        expectCode(fixture.given(created(), started(),
                                 new KitExecutionCompleted(EXECUTION, KitExecutionStatus.COMPLETED, null, null, null))
                          .when(output(OUTPUT_ROW, "hero", KitOutputStatus.VALID, 1, 1)), "invalid_transition");
    }

    @Test
    void recordOutput_fails_withAlreadyExists_whenTheOutputIdIsTaken() {
        expectCode(fixture.given(created(), started(), recorded(OUTPUT_ROW, "hero", KitOutputStatus.VALID, 1, 1))
                          .when(output(OTHER_OUTPUT_ROW, "hero", KitOutputStatus.FAILED, 1, 1)), "already_exists");
    }

    @Test
    void recordOutput_acceptsAnOutputIdThatDiffersOnlyInCase() {
        fixture.given(created(), started(), recorded(OUTPUT_ROW, "hero", KitOutputStatus.VALID, 1, 1))
               .when(output(OTHER_OUTPUT_ROW, "Hero", KitOutputStatus.VALID, 1, 1))
               .expectEvents(recorded(OTHER_OUTPUT_ROW, "Hero", KitOutputStatus.VALID, 1, 1));
    }

    @Test
    void recordOutput_fails_namingTheField_forANegativeCount() {
        expectField(fixture.given(created(), started()).when(
                new RecordKitOutput(EXECUTION, TENANT, null, OUTPUT_ROW, "hero", "hero.html", "html",
                                    KitOutputStatus.VALID, 0, 0, 0, -1, null, null, null, null, 0, 0)),
                    "repairAttempts");
    }

    @Test
    void recordOutput_fails_namingTheField_forANegativeContentSize() {
        expectField(fixture.given(created(), started()).when(
                new RecordKitOutput(EXECUTION, TENANT, null, OUTPUT_ROW, "hero", "hero.html", "html",
                                    KitOutputStatus.VALID, 0, 0, 0, 0, null, null, -5, null, 0, 0)),
                    "contentSizeBytes");
    }

    @Test
    void recordOutput_fails_namingTheField_forAContentHashThatIsNot64Hex() {
        expectField(fixture.given(created(), started()).when(
                new RecordKitOutput(EXECUTION, TENANT, null, OUTPUT_ROW, "hero", "hero.html", "html",
                                    KitOutputStatus.VALID, 0, 0, 0, 0, null, null, null, "g".repeat(64), 0, 0)),
                    "contentHash");
    }

    @Test
    void recordOutput_fails_withIllegalArgument_whenOutputTypeIsLongerThanItsColumn() {
        fixture.given(created(), started())
               .when(new RecordKitOutput(EXECUTION, TENANT, null, OUTPUT_ROW, "hero", "hero.html", "x".repeat(21),
                                         KitOutputStatus.VALID, 0, 0, 0, 0, null, null, null, null, 0, 0))
               .expectException(IllegalArgumentException.class).expectNoEvents();
    }

    @Test
    void recordOutput_fails_namingTokenUsagePrompt_whenThePromptSumWouldOverflowItsColumn() {
        expectField(fixture.given(created(), started(),
                                  recorded(OUTPUT_ROW, "a", KitOutputStatus.VALID, Integer.MAX_VALUE - 10, 0))
                           .when(output(OTHER_OUTPUT_ROW, "b", KitOutputStatus.VALID, 11, 0)), "tokenUsagePrompt");
    }

    @Test
    void recordOutput_fails_namingTokenUsageCompletion_whenTheCompletionSumWouldOverflowItsColumn() {
        expectField(fixture.given(created(), started(),
                                  recorded(OUTPUT_ROW, "a", KitOutputStatus.VALID, 0, Integer.MAX_VALUE))
                           .when(output(OTHER_OUTPUT_ROW, "b", KitOutputStatus.VALID, 0, 1)), "tokenUsageCompletion");
    }

    @Test
    void recordOutput_fails_whenTheTotalWouldOverflowItsColumn_thoughEachSumFits() {
        expectField(fixture.given(created(), started(),
                                  recorded(OUTPUT_ROW, "a", KitOutputStatus.VALID, Integer.MAX_VALUE / 2 + 1, 0))
                           .when(output(OTHER_OUTPUT_ROW, "b", KitOutputStatus.VALID, 0, Integer.MAX_VALUE / 2 + 1)),
                    "tokenUsageCompletion");
    }

    @Test
    void recordOutput_accepts_exactlyTheLargestTotalTheColumnHolds() {
        fixture.given(created(), started(),
                      recorded(OUTPUT_ROW, "a", KitOutputStatus.VALID, Integer.MAX_VALUE - 1, 0))
               .when(output(OTHER_OUTPUT_ROW, "b", KitOutputStatus.VALID, 0, 1))
               .expectEvents(recorded(OTHER_OUTPUT_ROW, "b", KitOutputStatus.VALID, 0, 1));
    }

    @Test
    void complete_emitsCompleted_whenNoOutputFailed() {
        fixture.given(created(), started(), recorded(OUTPUT_ROW, "a", KitOutputStatus.VALID, 1, 1),
                      recorded(OTHER_OUTPUT_ROW, "b", KitOutputStatus.WARNINGS, 1, 1))
               .when(complete(new BigDecimal("0.012345")))
               .expectEvents(new KitExecutionCompleted(EXECUTION, KitExecutionStatus.COMPLETED,
                                                       new BigDecimal("0.012345"), "s3://bucket/bundle.zip", 4096))
               .expectResultMessagePayload(new CommandResult(EXECUTION, 4, true));
    }

    @Test
    void complete_emitsPartial_whenAnyOutputFailed() {
        fixture.given(created(), started(), recorded(OUTPUT_ROW, "a", KitOutputStatus.VALID, 1, 1),
                      recorded(OTHER_OUTPUT_ROW, "b", KitOutputStatus.FAILED, 1, 1))
               .when(complete(null))
               .expectEvents(new KitExecutionCompleted(EXECUTION, KitExecutionStatus.PARTIAL, null,
                                                       "s3://bucket/bundle.zip", 4096));
    }

    @Test
    void complete_emitsCompleted_withoutAnyOutput() {
        fixture.given(created(), started())
               .when(new CompleteKitExecution(EXECUTION, TENANT, null, null, null, null))
               .expectEvents(new KitExecutionCompleted(EXECUTION, KitExecutionStatus.COMPLETED, null, null, null));
    }

    @Test
    void complete_fails_withInvalidTransition_whenPending() {
        expectCode(fixture.given(created()).when(complete(null)), "invalid_transition");
    }

    @Test
    void complete_fails_withInvalidTransition_whenAlreadyCompleted() {
        expectCode(fixture.given(created(), started(),
                                 new KitExecutionCompleted(EXECUTION, KitExecutionStatus.PARTIAL, null, null, null))
                          .when(complete(null)), "invalid_transition");
    }

    @Test
    void complete_fails_namingEstimatedCostUsd_forMoreDecimalsThanTheColumnHolds() {
        expectField(fixture.given(created(), started()).when(complete(new BigDecimal("0.0000001"))),
                    "estimatedCostUsd");
    }

    @Test
    void complete_accepts_trailingZerosBeyondTheColumnsDecimals_becauseNothingIsRounded() {
        fixture.given(created(), started())
               .when(complete(new BigDecimal("1.50000000")))
               .expectEvents(new KitExecutionCompleted(EXECUTION, KitExecutionStatus.COMPLETED,
                                                       new BigDecimal("1.50000000"), "s3://bucket/bundle.zip", 4096));
    }

    @Test
    void complete_accepts_theLargestAmountTheColumnHolds() {
        fixture.given(created(), started())
               .when(complete(new BigDecimal("9999.999999")))
               .expectEvents(new KitExecutionCompleted(EXECUTION, KitExecutionStatus.COMPLETED,
                                                       new BigDecimal("9999.999999"), "s3://bucket/bundle.zip", 4096));
    }

    @Test
    void complete_fails_namingEstimatedCostUsd_forAnAmountTooLargeForTheColumn() {
        expectField(fixture.given(created(), started()).when(complete(new BigDecimal("10000"))), "estimatedCostUsd");
    }

    @Test
    void complete_fails_namingEstimatedCostUsd_forANegativeAmount() {
        expectField(fixture.given(created(), started()).when(complete(new BigDecimal("-0.01"))), "estimatedCostUsd");
    }

    @Test
    void complete_fails_namingBundleSizeBytes_forANegativeSize() {
        expectField(fixture.given(created(), started())
                           .when(new CompleteKitExecution(EXECUTION, TENANT, null, null, null, -1)), "bundleSizeBytes");
    }

    @Test
    void fail_emitsKitExecutionFailed_whenRunning() {
        fixture.given(created(), started())
               .when(fail())
               .expectEvents(new KitExecutionFailed(EXECUTION, "renderer crashed", "render", Map.of("exitCode", 137)));
    }

    @Test
    void fail_emitsKitExecutionFailed_whenPending_becauseARunMayFailBeforeItStarts() {
        fixture.given(created())
               .when(fail())
               .expectEvents(new KitExecutionFailed(EXECUTION, "renderer crashed", "render", Map.of("exitCode", 137)));
    }

    @Test
    void fail_fails_withInvalidTransition_whenAlreadyFailed() {
        expectCode(fixture.given(created(), new KitExecutionFailed(EXECUTION, "boom", null, null)).when(fail()),
                   "invalid_transition");
    }

    @Test
    void fail_fails_withInvalidTransition_whenCompleted() {
        expectCode(fixture.given(created(), started(),
                                 new KitExecutionCompleted(EXECUTION, KitExecutionStatus.COMPLETED, null, null, null))
                          .when(fail()), "invalid_transition");
    }

    @Test
    void fail_fails_withIllegalArgument_withoutErrorMessage() {
        fixture.given(created(), started())
               .when(new FailKitExecution(EXECUTION, TENANT, null, " ", null, null))
               .expectException(IllegalArgumentException.class).expectNoEvents();
    }
}
