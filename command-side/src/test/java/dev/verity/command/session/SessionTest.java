package dev.verity.command.session;

import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.command.session.SessionCommand.AbandonSession;
import dev.verity.command.session.SessionCommand.AddObligation;
import dev.verity.command.session.SessionCommand.ChangeObligationStatus;
import dev.verity.command.session.SessionCommand.ChangePhase;
import dev.verity.command.session.SessionCommand.CompleteSession;
import dev.verity.command.session.SessionCommand.ExtractValue;
import dev.verity.command.session.SessionCommand.MergeObligations;
import dev.verity.command.session.SessionCommand.Negotiate;
import dev.verity.command.session.SessionCommand.ObligationSpec;
import dev.verity.command.session.SessionCommand.RecordAttempt;
import dev.verity.command.session.SessionCommand.RecordTurn;
import dev.verity.command.session.SessionCommand.SetEmbedding;
import dev.verity.command.session.SessionCommand.SplitObligation;
import dev.verity.command.session.SessionCommand.StartSession;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionEvent;
import dev.verity.events.session.SessionEvent.ObligationAdded;
import dev.verity.events.session.SessionEvent.ObligationAttempted;
import dev.verity.events.session.SessionEvent.ObligationConfidenceUpdated;
import dev.verity.events.session.SessionEvent.ObligationDependencyResolved;
import dev.verity.events.session.SessionEvent.ObligationEmbeddingSet;
import dev.verity.events.session.SessionEvent.ObligationMerged;
import dev.verity.events.session.SessionEvent.ObligationNegotiated;
import dev.verity.events.session.SessionEvent.ObligationSplit;
import dev.verity.events.session.SessionEvent.ObligationStatusChanged;
import dev.verity.events.session.SessionEvent.ObligationValueExtracted;
import dev.verity.events.session.SessionEvent.PhaseChanged;
import dev.verity.events.session.SessionEvent.SessionAbandoned;
import dev.verity.events.session.SessionEvent.SessionCompleted;
import dev.verity.events.session.SessionEvent.SessionStarted;
import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.events.session.SessionPhase;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** One given/when/then per rule of the Session aggregate and the obligations it holds. */
class SessionTest {

    private static final UUID TENANT = UUID.fromString("00000000-0000-7000-8000-000000000001");
    private static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-7000-8000-000000000002");
    private static final UUID SESSION = UUID.fromString("00000000-0000-7000-8000-0000000000aa");
    private static final UUID PROJECT = UUID.fromString("00000000-0000-7000-8000-0000000000bb");
    private static final UUID OBJECTIVE = UUID.fromString("00000000-0000-7000-8000-0000000000cc");

    private AggregateTestFixture<Session> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Session.class);
    }

    private static SessionStarted started() {
        return new SessionStarted(SESSION, TENANT, PROJECT, OBJECTIVE, "alice", SessionPhase.OPENING);
    }

    private static UUID id(String key) {
        return UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static ObligationSpec spec(String key, String... dependencies) {
        return new ObligationSpec(key, "Learn " + key, "direct_question", "text", List.of(dependencies), "agent",
                                  "objective", null, "pool-1", null, "profile", "profile." + key, "answered", null,
                                  "rephrase", null);
    }

    private static ObligationAdded added(String key, int turn, String completeness, String... dependencies) {
        return addedFrom(key, null, turn, completeness, dependencies);
    }

    private static ObligationAdded addedFrom(String key, String splitFrom, int turn, String completeness,
                                             String... dependencies) {
        return new ObligationAdded(SESSION, id(key), key, "Learn " + key, "direct_question", "text",
                                   List.of(dependencies), "agent", "objective", null, "pool-1", 5, "profile",
                                   "profile." + key, "answered", null, "rephrase", 3, splitFrom, turn,
                                   new BigDecimal(completeness));
    }

    private static AddObligation add(String key, String... dependencies) {
        return new AddObligation(SESSION, TENANT, null, id(key), spec(key, dependencies));
    }

    private static ObligationStatusChanged changed(String key, ObligationStatus from, ObligationStatus to,
                                                   String completeness) {
        return new ObligationStatusChanged(SESSION, key, from, to, null,
                                           to == ObligationStatus.SATISFIED ? 0 : null, 0, new BigDecimal(completeness));
    }

    private static ChangeObligationStatus status(String key, ObligationStatus status) {
        return new ChangeObligationStatus(SESSION, TENANT, null, key, status, null);
    }

    private static Matcher<Throwable> code(String code) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Throwable item) {
                return item instanceof DomainException domain && domain.code().equals(code);
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("DomainException with code ").appendValue(code);
            }
        };
    }

    private ResultValidator<Session> when(List<SessionEvent> given, Object command) {
        return fixture.given(new ArrayList<Object>(given)).when(command);
    }

    private void expectCode(List<SessionEvent> given, Object command, String code) {
        when(given, command).expectNoEvents().expectException(code(code));
    }

    private static List<SessionEvent> history(SessionEvent... events) {
        List<SessionEvent> all = new ArrayList<>();
        all.add(started());
        all.addAll(Arrays.asList(events));
        return all;
    }

    // --- the session ---------------------------------------------------------------------------

    @Test
    void start_emitsSessionStarted_inTheOpeningPhase() {
        fixture.givenNoPriorActivity()
               .when(new StartSession(SESSION, TENANT, PROJECT, OBJECTIVE, "alice"))
               .expectEvents(started())
               .expectResultMessagePayload(new CommandResult(SESSION, 0, true));
    }

    @Test
    void anyCommand_fails_withNotFound_whenTenantDiffers() {
        expectCode(history(), new RecordTurn(SESSION, OTHER_TENANT, null, null), "not_found");
    }

    @Test
    void anyCommand_fails_withVersionMismatch_whenIfMatchIsStale() {
        expectCode(history(new TurnRecorded(SESSION, 1, null)), new RecordTurn(SESSION, TENANT, 0L, null),
                   "version_mismatch");
    }

    @Test
    void turn_incrementsTheTurnCount_andKeepsTheSnapshot() {
        when(history(new TurnRecorded(SESSION, 1, null)),
             new RecordTurn(SESSION, TENANT, 1L, Map.of("topic", "pricing")))
                .expectEvents(new TurnRecorded(SESSION, 2, Map.of("topic", "pricing")))
                .expectResultMessagePayload(new CommandResult(SESSION, 2, true));
    }

    @Test
    void phase_movesForward_andMaySkipAPhase() {
        when(history(), new ChangePhase(SESSION, TENANT, null, SessionPhase.VALIDATION))
                .expectEvents(new PhaseChanged(SESSION, SessionPhase.OPENING, SessionPhase.VALIDATION));
    }

    @Test
    void phase_fails_withInvalidTransition_whenMovingBack() {
        expectCode(history(new PhaseChanged(SESSION, SessionPhase.OPENING, SessionPhase.VALIDATION)),
                   new ChangePhase(SESSION, TENANT, null, SessionPhase.EXPLORATION), "invalid_transition");
    }

    @Test
    void phase_fails_withInvalidTransition_whenUnchanged() {
        expectCode(history(), new ChangePhase(SESSION, TENANT, null, SessionPhase.OPENING), "invalid_transition");
    }

    @Test
    void complete_fails_withObligationsOutstanding_whilePendingOrPartial() {
        expectCode(history(added("name", 0, "0.00")), new CompleteSession(SESSION, TENANT, null, "alice"),
                   "obligations_outstanding");
        expectCode(history(added("name", 0, "0.00"),
                           changed("name", ObligationStatus.PENDING, ObligationStatus.PARTIAL, "0.00")),
                   new CompleteSession(SESSION, TENANT, null, "alice"), "obligations_outstanding");
    }

    @Test
    void complete_succeeds_whenEverythingIsSatisfiedDeferredOrSkipped() {
        when(history(added("a", 0, "0.00"), added("b", 0, "0.00"), added("c", 0, "0.00"),
                     changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.33"),
                     changed("b", ObligationStatus.PENDING, ObligationStatus.DEFERRED, "0.33"),
                     changed("c", ObligationStatus.PENDING, ObligationStatus.SKIPPED, "0.50")),
             new CompleteSession(SESSION, TENANT, null, "alice"))
                .expectEvents(new SessionCompleted(SESSION, "alice"));
    }

    @Test
    void complete_fails_withInvalidTransition_whenAbandoned() {
        expectCode(history(new SessionAbandoned(SESSION, "alice")), new CompleteSession(SESSION, TENANT, null, "alice"),
                   "invalid_transition");
    }

    @Test
    void abandon_emitsSessionAbandoned_evenWithPendingObligations() {
        when(history(added("name", 0, "0.00")), new AbandonSession(SESSION, TENANT, null, "alice"))
                .expectEvents(new SessionAbandoned(SESSION, "alice"));
    }

    @Test
    void abandon_fails_withInvalidTransition_whenCompleted() {
        expectCode(history(new SessionCompleted(SESSION, "alice")), new AbandonSession(SESSION, TENANT, null, "alice"),
                   "invalid_transition");
    }

    @Test
    void aClosedSession_takesNoMoreChanges() {
        expectCode(history(new SessionCompleted(SESSION, "alice")), new RecordTurn(SESSION, TENANT, null, null),
                   "session_closed");
        expectCode(history(new SessionAbandoned(SESSION, "alice")), add("name"), "session_closed");
    }

    // --- adding obligations ----------------------------------------------------------------------

    @Test
    void addObligation_emitsObligationAdded_withTheSeedDefaults() {
        when(history(new TurnRecorded(SESSION, 1, null)), add("name"))
                .expectEvents(added("name", 1, "0.00"))
                .expectResultMessagePayload(new CommandResult(id("name"), 2, true));
    }

    @Test
    void addObligation_recordsItsDependencies_withoutDuplicates() {
        when(history(added("a", 0, "0.00")), add("b", "a", "a"))
                .expectEvents(added("b", 0, "0.00", "a"));
    }

    @Test
    void addObligation_fails_withUnknownDependency_whenTheKeyIsNotInTheSession() {
        expectCode(history(added("a", 0, "0.00")), add("b", "nope"), "unknown_dependency");
    }

    @Test
    void addObligation_fails_withUnknownDependency_whenTheDependencyIsSkipped() {
        expectCode(history(added("a", 0, "0.00"),
                           changed("a", ObligationStatus.PENDING, ObligationStatus.SKIPPED, "0.00")),
                   add("b", "a"), "unknown_dependency");
    }

    @Test
    void addObligation_fails_withDependencyCycle_whenItDependsOnItself() {
        expectCode(history(), add("a", "a"), "dependency_cycle");
    }

    @Test
    void addObligation_fails_withAlreadyExists_whenTheKeyIsTaken() {
        expectCode(history(added("a", 0, "0.00")), new AddObligation(SESSION, TENANT, null, UUID.randomUUID(),
                                                                     spec("a")), "already_exists");
    }

    @Test
    void addObligation_lowersCompleteness_asANewPendingObligationCounts() {
        when(history(added("a", 0, "0.00"), changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "1.00")),
             add("b"))
                .expectEvents(added("b", 0, "0.50"));
    }

    // --- attempts, values, negotiation -----------------------------------------------------------

    @Test
    void attempt_incrementsAttempts_atTheCurrentTurn() {
        when(history(added("a", 0, "0.00"), new TurnRecorded(SESSION, 1, null),
                     new ObligationAttempted(SESSION, "a", 1, 0)),
             new RecordAttempt(SESSION, TENANT, null, "a"))
                .expectEvents(new ObligationAttempted(SESSION, "a", 2, 1));
    }

    @Test
    void attempt_fails_withAttemptsExhausted_pastMaxAttempts() {
        expectCode(history(added("a", 0, "0.00"), new ObligationAttempted(SESSION, "a", 1, 0),
                           new ObligationAttempted(SESSION, "a", 2, 0), new ObligationAttempted(SESSION, "a", 3, 0)),
                   new RecordAttempt(SESSION, TENANT, null, "a"), "attempts_exhausted");
    }

    @Test
    void attempt_fails_withInvalidTransition_whenSatisfied() {
        expectCode(history(added("a", 0, "0.00"), changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED,
                                                           "1.00")),
                   new RecordAttempt(SESSION, TENANT, null, "a"), "invalid_transition");
    }

    @Test
    void attempt_fails_withObligationNotFound_forAnUnknownKey() {
        expectCode(history(), new RecordAttempt(SESSION, TENANT, null, "nope"), "obligation_not_found");
    }

    @Test
    void value_emitsValueExtracted_andConfidenceUpdated_whenTheConfidenceChanges() {
        when(history(added("a", 0, "0.00")),
             new ExtractValue(SESSION, TENANT, null, "a", Map.of("name", "Acme"), new BigDecimal("0.8"), "user"))
                .expectEvents(new ObligationValueExtracted(SESSION, "a", Map.of("name", "Acme"), "user", 0),
                              new ObligationConfidenceUpdated(SESSION, "a", new BigDecimal("0.00"),
                                                              new BigDecimal("0.80"), "user", 0));
    }

    @Test
    void value_emitsOnlyValueExtracted_whenTheConfidenceIsUnchangedOrAbsent() {
        List<SessionEvent> given = history(added("a", 0, "0.00"), new ObligationConfidenceUpdated(
                SESSION, "a", new BigDecimal("0.00"), new BigDecimal("0.50"), "user", 0));
        when(given, new ExtractValue(SESSION, TENANT, null, "a", "Acme", new BigDecimal("0.500"), null))
                .expectEvents(new ObligationValueExtracted(SESSION, "a", "Acme", null, 0));
        when(given, new ExtractValue(SESSION, TENANT, null, "a", 42, null, null))
                .expectEvents(new ObligationValueExtracted(SESSION, "a", 42, null, 0));
    }

    @Test
    void value_fails_withValidationFailed_whenConfidenceHasMoreThanTwoDecimalsOrIsOutOfRange() {
        expectCode(history(added("a", 0, "0.00")),
                   new ExtractValue(SESSION, TENANT, null, "a", "x", new BigDecimal("0.555"), null), "validation_failed");
        expectCode(history(added("a", 0, "0.00")),
                   new ExtractValue(SESSION, TENANT, null, "a", "x", new BigDecimal("1.01"), null), "validation_failed");
        expectCode(history(added("a", 0, "0.00")),
                   new ExtractValue(SESSION, TENANT, null, "a", "x", new BigDecimal("-0.1"), null), "validation_failed");
    }

    @Test
    void value_fails_withInvalidTransition_whenSkipped() {
        expectCode(history(added("a", 0, "0.00"), changed("a", ObligationStatus.PENDING, ObligationStatus.SKIPPED,
                                                           "0.00")),
                   new ExtractValue(SESSION, TENANT, null, "a", "x", null, null), "invalid_transition");
    }

    @Test
    void negotiation_emitsObligationNegotiated() {
        when(history(added("a", 0, "0.00")),
             new Negotiate(SESSION, TENANT, null, "a", Map.of("userSays", "not quite")))
                .expectEvents(new ObligationNegotiated(SESSION, "a", Map.of("userSays", "not quite"), 0));
    }

    // --- status and dependencies -----------------------------------------------------------------

    @Test
    void status_satisfied_recordsTheTurn_andResolvesItForEveryDependent() {
        when(history(added("a", 0, "0.00"), added("b", 0, "0.00", "a"), added("c", 0, "0.00", "a"),
                     added("d", 0, "0.00"), new TurnRecorded(SESSION, 4, null)),
             status("a", ObligationStatus.SATISFIED))
                .expectEvents(new ObligationStatusChanged(SESSION, "a", ObligationStatus.PENDING,
                                                          ObligationStatus.SATISFIED, null, 4, 4,
                                                          new BigDecimal("0.25")),
                              new ObligationDependencyResolved(SESSION, "b", "a", 4),
                              new ObligationDependencyResolved(SESSION, "c", "a", 4));
    }

    @Test
    void status_satisfied_fails_withDependenciesUnsatisfied_whileADependencyIsNot() {
        expectCode(history(added("a", 0, "0.00"), added("b", 0, "0.00", "a"),
                           changed("a", ObligationStatus.PENDING, ObligationStatus.PARTIAL, "0.00")),
                   status("b", ObligationStatus.SATISFIED), "dependencies_unsatisfied");
    }

    @Test
    void status_partial_isAllowed_whileADependencyIsNotSatisfied() {
        when(history(added("a", 0, "0.00"), added("b", 0, "0.00", "a")), status("b", ObligationStatus.PARTIAL))
                .expectEvents(changed("b", ObligationStatus.PENDING, ObligationStatus.PARTIAL, "0.00"));
    }

    @Test
    void status_fails_withInvalidTransition_fromAFinalStatusOrToTheSameOne() {
        List<SessionEvent> satisfied = history(added("a", 0, "0.00"),
                                               changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "1.00"));
        expectCode(satisfied, status("a", ObligationStatus.PENDING), "invalid_transition");
        expectCode(history(added("a", 0, "0.00")), status("a", ObligationStatus.PENDING), "invalid_transition");
        expectCode(history(added("a", 0, "0.00"), changed("a", ObligationStatus.PENDING, ObligationStatus.PARTIAL,
                                                           "0.00")),
                   status("a", ObligationStatus.PENDING), "invalid_transition");
    }

    @Test
    void status_deferredMayReturnToPending() {
        when(history(added("a", 0, "0.00"), changed("a", ObligationStatus.PENDING, ObligationStatus.DEFERRED, "0.00")),
             status("a", ObligationStatus.PENDING))
                .expectEvents(changed("a", ObligationStatus.DEFERRED, ObligationStatus.PENDING, "0.00"));
    }

    @Test
    void completeness_isSatisfiedOverNotSkipped_roundedDown() {
        when(history(added("a", 0, "0.00"), added("b", 0, "0.00"), added("c", 0, "0.00"),
                     changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.33")),
             status("b", ObligationStatus.SATISFIED))
                .expectEvents(changed("b", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.66"));
        when(history(added("a", 0, "0.00"), added("b", 0, "0.00"), added("c", 0, "0.00"),
                     changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.33")),
             status("c", ObligationStatus.SKIPPED))
                .expectEvents(changed("c", ObligationStatus.PENDING, ObligationStatus.SKIPPED, "0.50"));
    }

    // --- merge and split -------------------------------------------------------------------------

    @Test
    void merge_skipsTheSources_andRepointsTheirDependentsAtTheTarget() {
        when(history(added("a", 0, "0.00"), added("b", 0, "0.00"), added("t", 0, "0.00"),
                     added("x", 0, "0.00", "a", "b", "t")),
             new MergeObligations(SESSION, TENANT, null, List.of("a", "b"), "t"))
                .expectEvents(new ObligationMerged(SESSION, "a", "t", ObligationStatus.PENDING,
                                                   Map.of("x", List.of("t", "b")), 0, new BigDecimal("0.00")),
                              new ObligationMerged(SESSION, "b", "t", ObligationStatus.PENDING,
                                                   Map.of("x", List.of("t")), 0, new BigDecimal("0.00")));
    }

    @Test
    void merge_dropsTheDependencyOfTheTargetOnASource() {
        when(history(added("a", 0, "0.00"), added("t", 0, "0.00", "a")),
             new MergeObligations(SESSION, TENANT, null, List.of("a"), "t"))
                .expectEvents(new ObligationMerged(SESSION, "a", "t", ObligationStatus.PENDING,
                                                   Map.of("t", List.of()), 0, new BigDecimal("0.00")));
    }

    @Test
    void merge_fails_withDependencyCycle_whenRepointingWouldCloseALoop() {
        // x depends on a; t depends on x: after merging a into t, x would depend on t and t on x.
        expectCode(history(added("a", 0, "0.00"), added("x", 0, "0.00", "a"), added("t", 0, "0.00", "x")),
                   new MergeObligations(SESSION, TENANT, null, List.of("a"), "t"), "dependency_cycle");
    }

    @Test
    void merge_fails_whenASourceIsFinal_theTargetIsSkipped_orAKeyIsUnknown() {
        List<SessionEvent> given = history(added("a", 0, "0.00"), added("t", 0, "0.00"), added("s", 0, "0.00"),
                                           changed("a", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "0.33"),
                                           changed("s", ObligationStatus.PENDING, ObligationStatus.SKIPPED, "0.50"));
        expectCode(given, new MergeObligations(SESSION, TENANT, null, List.of("a"), "t"), "invalid_transition");
        expectCode(given, new MergeObligations(SESSION, TENANT, null, List.of("t"), "s"), "invalid_transition");
        expectCode(given, new MergeObligations(SESSION, TENANT, null, List.of("nope"), "t"), "obligation_not_found");
    }

    @Test
    void merge_fails_withIllegalArgument_whenTheTargetIsASource() {
        when(history(added("a", 0, "0.00")), new MergeObligations(SESSION, TENANT, null, List.of("a"), "a"))
                .expectNoEvents().expectException(IllegalArgumentException.class);
    }

    @Test
    void split_addsTheParts_withTheirOrigin_thenSkipsTheOriginal_andRepointsItsDependents() {
        when(history(added("addr", 0, "0.00"), added("ship", 0, "0.00", "addr")),
             new SplitObligation(SESSION, TENANT, null, "addr", List.of(spec("street"), spec("city", "street")),
                                 List.of(id("street"), id("city"))))
                .expectEvents(addedFrom("street", "addr", 0, "0.00"),
                              addedFrom("city", "addr", 0, "0.00", "street"),
                              new ObligationSplit(SESSION, "addr", List.of("street", "city"), ObligationStatus.PENDING,
                                                  Map.of("ship", List.of("street", "city")), 0,
                                                  new BigDecimal("0.00")));
    }

    @Test
    void split_fails_withDependencyCycle_whenAPartDependsOnADependentOfTheOriginal() {
        expectCode(history(added("addr", 0, "0.00"), added("ship", 0, "0.00", "addr")),
                   new SplitObligation(SESSION, TENANT, null, "addr", List.of(spec("street", "ship"), spec("city")),
                                       List.of(id("street"), id("city"))), "dependency_cycle");
    }

    @Test
    void split_fails_withUnknownDependency_whenAPartDependsOnTheOriginal() {
        expectCode(history(added("addr", 0, "0.00")),
                   new SplitObligation(SESSION, TENANT, null, "addr", List.of(spec("street", "addr"), spec("city")),
                                       List.of(id("street"), id("city"))), "unknown_dependency");
    }

    @Test
    void split_fails_withAlreadyExists_whenAPartKeyIsTaken() {
        expectCode(history(added("addr", 0, "0.00"), added("city", 0, "0.00")),
                   new SplitObligation(SESSION, TENANT, null, "addr", List.of(spec("street"), spec("city")),
                                       List.of(id("street"), UUID.randomUUID())), "already_exists");
    }

    @Test
    void split_fails_withInvalidTransition_whenTheOriginalIsSatisfied() {
        expectCode(history(added("addr", 0, "0.00"),
                           changed("addr", ObligationStatus.PENDING, ObligationStatus.SATISFIED, "1.00")),
                   new SplitObligation(SESSION, TENANT, null, "addr", List.of(spec("street"), spec("city")),
                                       List.of(id("street"), id("city"))), "invalid_transition");
    }

    // --- embeddings ------------------------------------------------------------------------------

    @Test
    void embedding_emitsTheVectorInTheEvent() {
        float[] vector = new float[Session.EMBEDDING_DIMENSIONS];
        vector[3] = 0.25f;
        when(history(added("a", 0, "0.00")), new SetEmbedding(SESSION, TENANT, null, "a", vector))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(org.axonframework.test.matchers.Matchers.payloadsMatching(
                        org.axonframework.test.matchers.Matchers.exactSequenceOf(
                                new TypeSafeMatcher<Object>() {
                                    @Override
                                    protected boolean matchesSafely(Object item) {
                                        return item instanceof ObligationEmbeddingSet set && set.key().equals("a")
                                               && Arrays.equals(set.embedding(), vector);
                                    }

                                    @Override
                                    public void describeTo(Description description) {
                                        description.appendText("the embedding of a");
                                    }
                                },
                                org.axonframework.test.matchers.Matchers.andNoMore())));
    }

    @Test
    void embedding_fails_withIllegalArgument_forAWrongDimensionOrANonFiniteValue() {
        when(history(added("a", 0, "0.00")), new SetEmbedding(SESSION, TENANT, null, "a", new float[3]))
                .expectNoEvents().expectException(IllegalArgumentException.class);
        float[] vector = new float[Session.EMBEDDING_DIMENSIONS];
        vector[7] = Float.NaN;
        when(history(added("a", 0, "0.00")), new SetEmbedding(SESSION, TENANT, null, "a", vector))
                .expectNoEvents().expectException(IllegalArgumentException.class);
    }

    @Test
    void dependencyCycles_findsALongCycle_andNoneInADag() {
        List<String> cycle = DependencyCycles.find(Map.of("a", List.of("b"), "b", List.of("c"), "c", List.of("a")));
        assertThat(cycle).hasSize(4).containsOnly("a", "b", "c");
        assertThat(cycle.get(0)).isEqualTo(cycle.get(3));
        assertThat(DependencyCycles.find(Map.of("a", List.of("b", "c"), "b", List.of("c"), "c", List.of()))).isEmpty();
    }
}
