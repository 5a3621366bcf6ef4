package dev.verity.command.session;

import dev.verity.command.platform.CommandResult;
import dev.verity.command.platform.DomainException;
import dev.verity.command.platform.ExistingRecord;
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
import dev.verity.events.session.SessionStatus;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CommandHandlerInterceptor;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import static dev.verity.command.platform.ExistingRecord.currentVersion;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * An elicitation session (seed 001 {@code elicitation_sessions}) with the obligations it must
 * collect as members ({@code elicitation_obligations}), so that dependencies, merges, splits and
 * completeness are decided inside one consistency boundary. Handlers check, then apply; event
 * sourcing handlers only assign.
 * <p>
 * Rules: phases move forward only; an obligation's dependencies name obligations of the session
 * and never form a cycle; it cannot be satisfied before all of them are; {@code satisfied} and
 * {@code skipped} are final; attempts stop at {@code maxAttempts}; a session completes only when
 * no obligation is pending or partial, and a closed session takes no more commands.
 */
@Aggregate
class Session {

    static final int EMBEDDING_DIMENSIONS = 1536;
    static final int DEFAULT_TASK_PRIORITY = 5;
    static final int DEFAULT_MAX_ATTEMPTS = 3;

    /** Which status may follow which; a status is never set to itself. */
    private static final Map<ObligationStatus, Set<ObligationStatus>> TRANSITIONS = Map.of(
            ObligationStatus.PENDING, EnumSet.of(ObligationStatus.PARTIAL, ObligationStatus.SATISFIED,
                                                 ObligationStatus.DEFERRED, ObligationStatus.SKIPPED),
            ObligationStatus.PARTIAL, EnumSet.of(ObligationStatus.SATISFIED, ObligationStatus.DEFERRED,
                                                 ObligationStatus.SKIPPED),
            ObligationStatus.DEFERRED, EnumSet.of(ObligationStatus.PENDING, ObligationStatus.PARTIAL,
                                                  ObligationStatus.SATISFIED, ObligationStatus.SKIPPED),
            ObligationStatus.SATISFIED, EnumSet.noneOf(ObligationStatus.class),
            ObligationStatus.SKIPPED, EnumSet.noneOf(ObligationStatus.class));

    @AggregateIdentifier
    private UUID sessionId;
    private UUID tenantId;
    private SessionStatus status;
    private SessionPhase phase;
    private int turnCount;
    /** By key, in creation order. */
    private Map<String, ObligationState> obligations;
    private Set<UUID> obligationIds;

    /** What the rules need to know of one obligation; replaced whole on every change. */
    private record ObligationState(ObligationStatus status, List<String> dependencies, int attempts, int maxAttempts,
                                   BigDecimal confidence) {

        ObligationState withStatus(ObligationStatus newStatus) {
            return new ObligationState(newStatus, dependencies, attempts, maxAttempts, confidence);
        }

        ObligationState withDependencies(List<String> newDependencies) {
            return new ObligationState(status, List.copyOf(newDependencies), attempts, maxAttempts, confidence);
        }

        ObligationState withAttempts(int newAttempts) {
            return new ObligationState(status, dependencies, newAttempts, maxAttempts, confidence);
        }

        ObligationState withConfidence(BigDecimal newConfidence) {
            return new ObligationState(status, dependencies, attempts, maxAttempts, newConfidence);
        }
    }

    Session() {
        // Axon rebuilds the aggregate from its events.
    }

    /** Tenant and If-Match checks for every command on an existing session, in one place. */
    @CommandHandlerInterceptor
    Object guard(CommandMessage<?> message, InterceptorChain chain) throws Exception {
        if (sessionId != null && message.getPayload() instanceof SessionCommand command) {
            ExistingRecord.admit(tenantId, command.tenantId(), command.expectedVersion());
        }
        return chain.proceed();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    CommandResult handle(StartSession command) {
        Objects.requireNonNull(command.projectId(), "projectId is required");
        apply(new SessionStarted(command.sessionId(), command.tenantId(), command.projectId(), command.objectiveId(),
                                 command.createdBy(), SessionPhase.OPENING));
        return result(command.sessionId());
    }

    @CommandHandler
    CommandResult handle(RecordTurn command) {
        requireActive();
        apply(new TurnRecorded(sessionId, turnCount + 1, command.workingMemorySnapshot()));
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(ChangePhase command) {
        requireActive();
        Objects.requireNonNull(command.phase(), "phase is required");
        if (command.phase().ordinal() <= phase.ordinal()) {
            throw invalidTransition("Cannot move session " + sessionId + " from phase " + phase.wire() + " to "
                                    + command.phase().wire() + ": phases move forward only");
        }
        apply(new PhaseChanged(sessionId, phase, command.phase()));
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(CompleteSession command) {
        requireStatusToClose("complete");
        List<String> outstanding = obligations.entrySet().stream()
                                              .filter(entry -> entry.getValue().status().isOutstanding())
                                              .map(Map.Entry::getKey).toList();
        if (!outstanding.isEmpty()) {
            throw DomainException.conflict("obligations_outstanding", "Cannot complete session " + sessionId
                                           + ": obligations still pending or partial: " + preview(outstanding));
        }
        apply(new SessionCompleted(sessionId, command.completedBy()));
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(AbandonSession command) {
        requireStatusToClose("abandon");
        apply(new SessionAbandoned(sessionId, command.abandonedBy()));
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(AddObligation command) {
        requireActive();
        ObligationSpec spec = command.obligation();
        Objects.requireNonNull(spec, "obligation is required");
        requireNewKeys(List.of(spec.key()));
        requireNewId(command.obligationId());
        List<String> dependencies = dependenciesOf(spec, Set.of(), null);
        Map<String, List<String>> graph = dependencyGraph();
        graph.put(spec.key(), dependencies);
        requireAcyclic(graph, true);
        apply(added(command.obligationId(), spec, dependencies, null));
        return result(command.obligationId());
    }

    @CommandHandler
    CommandResult handle(RecordAttempt command) {
        requireActive();
        ObligationState obligation = obligation(command.key());
        requireOpen(command.key(), obligation, "record an attempt for");
        if (obligation.attempts() >= obligation.maxAttempts()) {
            throw DomainException.conflict("attempts_exhausted", "Obligation " + command.key() + " has had all its "
                                           + obligation.maxAttempts() + " attempts");
        }
        apply(new ObligationAttempted(sessionId, command.key(), obligation.attempts() + 1, turnCount));
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(ExtractValue command) {
        requireActive();
        ObligationState obligation = obligation(command.key());
        requireNotSkipped(command.key(), obligation, "extract a value for");
        Objects.requireNonNull(command.extractedValue(), "extractedValue is required");
        BigDecimal confidence = command.confidence() == null ? null : confidence(command.confidence());
        apply(new ObligationValueExtracted(sessionId, command.key(), command.extractedValue(), command.source(),
                                           turnCount));
        if (confidence != null && confidence.compareTo(obligation.confidence()) != 0) {
            apply(new ObligationConfidenceUpdated(sessionId, command.key(), obligation.confidence(), confidence,
                                                  command.source(), turnCount));
        }
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(Negotiate command) {
        requireActive();
        ObligationState obligation = obligation(command.key());
        requireNotSkipped(command.key(), obligation, "negotiate");
        Objects.requireNonNull(command.negotiationState(), "negotiationState is required");
        apply(new ObligationNegotiated(sessionId, command.key(), command.negotiationState(), turnCount));
        return result(sessionId);
    }

    /** Satisfying an obligation resolves it for every obligation that depends on it, in the same command. */
    @CommandHandler
    CommandResult handle(ChangeObligationStatus command) {
        requireActive();
        Objects.requireNonNull(command.status(), "status is required");
        ObligationState obligation = obligation(command.key());
        if (!TRANSITIONS.get(obligation.status()).contains(command.status())) {
            throw invalidTransition("Cannot move obligation " + command.key() + " from " + obligation.status().wire()
                                    + " to " + command.status().wire());
        }
        boolean satisfying = command.status() == ObligationStatus.SATISFIED;
        if (satisfying) {
            List<String> unsatisfied = obligation.dependencies().stream()
                    .filter(dependency -> obligations.get(dependency).status() != ObligationStatus.SATISFIED)
                    .toList();
            if (!unsatisfied.isEmpty()) {
                throw DomainException.conflict("dependencies_unsatisfied", "Obligation " + command.key()
                                               + " depends on obligations not yet satisfied: " + preview(unsatisfied));
            }
        }
        BigDecimal completeness = completenessWith(Map.of(command.key(), command.status()), 0);
        apply(new ObligationStatusChanged(sessionId, command.key(), obligation.status(), command.status(),
                                          command.agentNotes(), satisfying ? turnCount : null, turnCount,
                                          completeness));
        if (satisfying) {
            obligations.forEach((key, dependent) -> {
                if (dependent.status() != ObligationStatus.SKIPPED && dependent.dependencies().contains(command.key())) {
                    apply(new ObligationDependencyResolved(sessionId, key, command.key(), turnCount));
                }
            });
        }
        return result(sessionId);
    }

    /** Sources become skipped; whatever depended on them depends on the target instead. */
    @CommandHandler
    CommandResult handle(MergeObligations command) {
        requireActive();
        List<String> sources = List.copyOf(new LinkedHashSet<>(orEmpty(command.sourceKeys())));
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("sourceKeys must name at least one obligation");
        }
        if (sources.contains(command.intoKey())) {
            throw new IllegalArgumentException("intoKey must not be one of the sourceKeys");
        }
        ObligationState target = obligation(command.intoKey());
        requireNotSkipped(command.intoKey(), target, "merge into");
        for (String source : sources) {
            requireOpen(source, obligation(source), "merge");
        }
        Map<String, List<String>> graph = dependencyGraph();
        List<Map<String, List<String>>> rewrites = new ArrayList<>();
        for (String source : sources) {
            rewrites.add(redirect(graph, source, List.of(command.intoKey())));
        }
        requireAcyclic(graph, false);
        for (int i = 0; i < sources.size(); i++) {
            String source = sources.get(i);
            apply(new ObligationMerged(sessionId, source, command.intoKey(), obligations.get(source).status(),
                                       rewrites.get(i), turnCount,
                                       completenessWith(Map.of(source, ObligationStatus.SKIPPED), 0)));
        }
        return result(sessionId);
    }

    /** The parts are added, each naming its origin; then the original becomes skipped. */
    @CommandHandler
    CommandResult handle(SplitObligation command) {
        requireActive();
        ObligationState original = obligation(command.key());
        requireOpen(command.key(), original, "split");
        List<ObligationSpec> parts = orEmpty(command.into());
        if (parts.size() < 2) {
            throw new IllegalArgumentException("into must hold at least two obligations");
        }
        if (command.obligationIds() == null || command.obligationIds().size() != parts.size()) {
            throw new IllegalArgumentException("obligationIds must hold one id per part");
        }
        for (int i = 0; i < parts.size(); i++) {
            Objects.requireNonNull(parts.get(i), "into[" + i + "] is required");
        }
        List<String> partKeys = parts.stream().map(ObligationSpec::key).toList();
        requireNewKeys(partKeys);
        command.obligationIds().forEach(this::requireNewId);
        Map<String, List<String>> graph = dependencyGraph();
        List<List<String>> partDependencies = new ArrayList<>();
        for (ObligationSpec part : parts) {
            List<String> dependencies = dependenciesOf(part, Set.copyOf(partKeys), command.key());
            partDependencies.add(dependencies);
            graph.put(part.key(), dependencies);
        }
        requireAcyclic(graph, true);
        Map<String, List<String>> rewritten = redirect(graph, command.key(), partKeys);
        requireAcyclic(graph, false);
        for (int i = 0; i < parts.size(); i++) {
            apply(added(command.obligationIds().get(i), parts.get(i), partDependencies.get(i), command.key()));
        }
        apply(new ObligationSplit(sessionId, command.key(), partKeys, original.status(), rewritten, turnCount,
                                  completenessWith(Map.of(command.key(), ObligationStatus.SKIPPED), 0)));
        return result(sessionId);
    }

    @CommandHandler
    CommandResult handle(SetEmbedding command) {
        requireActive();
        obligation(command.key());
        float[] embedding = command.embedding();
        if (embedding == null || embedding.length != EMBEDDING_DIMENSIONS) {
            throw new IllegalArgumentException("vector must hold exactly " + EMBEDDING_DIMENSIONS + " numbers");
        }
        for (int i = 0; i < embedding.length; i++) {
            if (!Float.isFinite(embedding[i])) {
                throw new IllegalArgumentException("vector[" + i + "] must be a finite 32-bit number");
            }
        }
        apply(new ObligationEmbeddingSet(sessionId, command.key(), embedding.clone()));
        return result(sessionId);
    }

    @EventSourcingHandler
    void on(SessionStarted event) {
        sessionId = event.sessionId();
        tenantId = event.tenantId();
        status = SessionStatus.ACTIVE;
        phase = event.phase();
        obligations = new LinkedHashMap<>();
        obligationIds = new HashSet<>();
    }

    @EventSourcingHandler
    void on(TurnRecorded event) {
        turnCount = event.turnNumber();
    }

    @EventSourcingHandler
    void on(PhaseChanged event) {
        phase = event.to();
    }

    @EventSourcingHandler
    void on(SessionCompleted event) {
        status = SessionStatus.COMPLETED;
    }

    @EventSourcingHandler
    void on(SessionAbandoned event) {
        status = SessionStatus.ABANDONED;
    }

    @EventSourcingHandler
    void on(ObligationAdded event) {
        obligations.put(event.key(), new ObligationState(ObligationStatus.PENDING, List.copyOf(event.dependencies()), 0,
                                                         event.maxAttempts(), BigDecimal.ZERO.setScale(2)));
        obligationIds.add(event.obligationId());
    }

    @EventSourcingHandler
    void on(ObligationAttempted event) {
        obligations.computeIfPresent(event.key(), (key, obligation) -> obligation.withAttempts(event.attempts()));
    }

    @EventSourcingHandler
    void on(ObligationConfidenceUpdated event) {
        obligations.computeIfPresent(event.key(), (key, obligation) -> obligation.withConfidence(event.newConfidence()));
    }

    @EventSourcingHandler
    void on(ObligationStatusChanged event) {
        obligations.computeIfPresent(event.key(), (key, obligation) -> obligation.withStatus(event.to()));
    }

    @EventSourcingHandler
    void on(ObligationMerged event) {
        skipAndRepoint(event.key(), event.dependencies());
    }

    @EventSourcingHandler
    void on(ObligationSplit event) {
        skipAndRepoint(event.key(), event.dependencies());
    }

    private void skipAndRepoint(String skipped, Map<String, List<String>> dependencies) {
        obligations.computeIfPresent(skipped, (key, obligation) -> obligation.withStatus(ObligationStatus.SKIPPED));
        dependencies.forEach((dependent, list) ->
                obligations.computeIfPresent(dependent, (key, obligation) -> obligation.withDependencies(list)));
    }

    /** Built before it is applied, so the completeness counts it as one more pending obligation. */
    private ObligationAdded added(UUID obligationId, ObligationSpec spec, List<String> dependencies, String splitFrom) {
        requireText("key", spec.key(), 100);
        int maxAttempts = spec.maxAttempts() == null ? DEFAULT_MAX_ATTEMPTS : spec.maxAttempts();
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        return new ObligationAdded(sessionId, obligationId, spec.key(), spec.description(), spec.collectionType(),
                                   spec.widgetType(), dependencies, spec.source(), spec.originLayer(),
                                   spec.originSourceId(), spec.poolId(),
                                   spec.taskPriority() == null ? DEFAULT_TASK_PRIORITY : spec.taskPriority(),
                                   spec.category(), spec.fieldPath(), spec.satisfiedWhen(), spec.expertiseRequired(),
                                   spec.followUpStrategy(), maxAttempts, splitFrom, turnCount,
                                   completenessWith(Map.of(), 1));
    }

    /**
     * A new obligation's dependencies: keys of this session's obligations that are not skipped,
     * or (for the parts of a split) of its sibling parts. The obligation being split is no
     * dependency a part can have: it is about to be skipped.
     */
    private List<String> dependenciesOf(ObligationSpec spec, Set<String> siblings, String splitting) {
        List<String> dependencies = List.copyOf(new LinkedHashSet<>(orEmpty(spec.dependencies())));
        for (String dependency : dependencies) {
            ObligationState known = obligations.get(dependency);
            boolean usable = siblings.contains(dependency)
                             || known != null && known.status() != ObligationStatus.SKIPPED
                                && !dependency.equals(splitting);
            if (!usable && !dependency.equals(spec.key())) {
                throw DomainException.badRequest("unknown_dependency", "dependency " + dependency + " of "
                                                 + spec.key() + " is not an obligation of this session that is"
                                                 + " still open to depend on");
            }
        }
        return dependencies;
    }

    /**
     * Points every dependency on {@code replaced} at {@code replacements} instead (without
     * duplicates, and never an obligation at itself), in {@code graph}.
     *
     * @return the rewritten lists, by the key of each obligation whose list changed
     */
    private static Map<String, List<String>> redirect(Map<String, List<String>> graph, String replaced,
                                                      List<String> replacements) {
        Map<String, List<String>> rewritten = new LinkedHashMap<>();
        graph.forEach((key, dependencies) -> {
            if (!key.equals(replaced) && dependencies.contains(replaced)) {
                LinkedHashSet<String> updated = new LinkedHashSet<>();
                for (String dependency : dependencies) {
                    if (dependency.equals(replaced)) {
                        replacements.stream().filter(replacement -> !replacement.equals(key)).forEach(updated::add);
                    } else {
                        updated.add(dependency);
                    }
                }
                rewritten.put(key, List.copyOf(updated));
            }
        });
        graph.putAll(rewritten);
        return rewritten;
    }

    /** The current dependency graph, a mutable copy to try changes on. */
    private Map<String, List<String>> dependencyGraph() {
        Map<String, List<String>> graph = new LinkedHashMap<>();
        obligations.forEach((key, obligation) -> graph.put(key, obligation.dependencies()));
        return graph;
    }

    /**
     * Refuses a graph with a cycle: 400 when the request itself asked for it (a new obligation's
     * dependencies), 409 when it would arise from the session's existing dependencies (a merge or split).
     */
    private static void requireAcyclic(Map<String, List<String>> graph, boolean requested) {
        List<String> cycle = DependencyCycles.find(graph);
        if (!cycle.isEmpty()) {
            String message = "Dependencies would form a cycle: " + String.join(" -> ", cycle);
            throw requested ? DomainException.badRequest("dependency_cycle", message)
                            : DomainException.conflict("dependency_cycle", message);
        }
    }

    /**
     * Satisfied ÷ not skipped, after the given status changes and {@code added} new pending
     * obligations; 0 when nothing counts. Rounded down, so 1.00 means every one is satisfied.
     */
    private BigDecimal completenessWith(Map<String, ObligationStatus> changes, int added) {
        int satisfied = 0;
        int counted = added;
        for (Map.Entry<String, ObligationState> entry : obligations.entrySet()) {
            ObligationStatus status = changes.getOrDefault(entry.getKey(), entry.getValue().status());
            if (status != ObligationStatus.SKIPPED) {
                counted++;
            }
            if (status == ObligationStatus.SATISFIED) {
                satisfied++;
            }
        }
        if (counted == 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        return BigDecimal.valueOf(satisfied).divide(BigDecimal.valueOf(counted), 2, RoundingMode.DOWN);
    }

    /** Confidence is 0 to 1 with at most two decimals, as NUMERIC(3,2) holds it. */
    private static BigDecimal confidence(BigDecimal value) {
        if (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0) {
            throw DomainException.badField("validation_failed", "confidence", "must be between 0 and 1");
        }
        if (value.stripTrailingZeros().scale() > 2) {
            throw DomainException.badField("validation_failed", "confidence", "must have at most two decimals");
        }
        return value.setScale(2, RoundingMode.UNNECESSARY);
    }

    private ObligationState obligation(String key) {
        ObligationState obligation = key == null ? null : obligations.get(key);
        if (obligation == null) {
            throw DomainException.notFound("obligation_not_found", "session " + sessionId + " has no obligation "
                                           + key);
        }
        return obligation;
    }

    private void requireNewKeys(List<String> keys) {
        Set<String> seen = new HashSet<>();
        for (String key : keys) {
            requireText("key", key, 100);
            if (obligations.containsKey(key) || !seen.add(key)) {
                throw DomainException.conflict("already_exists", "obligation " + key + " already exists");
            }
        }
    }

    /** Obligation ids are the server's, but a replayed client id must never overwrite another row. */
    private void requireNewId(UUID id) {
        Objects.requireNonNull(id, "obligation id is required");
        if (obligationIds.contains(id)) {
            throw DomainException.conflict("already_exists", "obligation id " + id + " already exists");
        }
    }

    private static void requireOpen(String key, ObligationState obligation, String action) {
        if (obligation.status().isFinal()) {
            throw invalidTransition("Cannot " + action + " obligation " + key + ": it is " + obligation.status().wire());
        }
    }

    private static void requireNotSkipped(String key, ObligationState obligation, String action) {
        if (obligation.status() == ObligationStatus.SKIPPED) {
            throw invalidTransition("Cannot " + action + " obligation " + key + ": it is skipped");
        }
    }

    private void requireActive() {
        if (status != SessionStatus.ACTIVE) {
            throw DomainException.conflict("session_closed", "session " + sessionId + " is " + status.wire()
                                           + " and can no longer change");
        }
    }

    private void requireStatusToClose(String action) {
        if (status != SessionStatus.ACTIVE) {
            throw invalidTransition("Cannot " + action + " session " + sessionId + ": it is " + status.wire());
        }
    }

    private static DomainException invalidTransition(String message) {
        return DomainException.conflict("invalid_transition", message);
    }

    private static String preview(List<String> keys) {
        return keys.size() <= 10 ? String.join(", ", keys)
                : String.join(", ", keys.subList(0, 10)) + " and " + (keys.size() - 10) + " more";
    }

    private static void requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be at most " + maxLength + " characters");
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static CommandResult result(UUID id) {
        return new CommandResult(id, currentVersion(), true);
    }
}
