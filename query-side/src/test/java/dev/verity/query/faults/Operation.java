package dev.verity.query.faults;

import java.time.Instant;
import java.util.UUID;

/**
 * One command a client wants applied exactly once. Its {@code key} is both the
 * {@code Idempotency-Key} of every attempt and the marker the command writes into its event
 * (the task's title, the step's action), so the event store shows how many effects it had.
 * A client may also send it without the header, once: it then cannot retry safely, and gives up
 * on anything but a 2xx.
 */
final class Operation {

    enum Kind { CREATE_TASK, ADD_STEP }

    final String key;
    final Kind kind;
    final UUID taskId;
    final boolean idempotent;
    /** The {@code If-Match} version of the next attempt, or null for none. */
    volatile Long ifMatch;
    volatile int attempts;

    volatile UUID ackId;
    volatile long ackVersion = -1;
    volatile Instant ackedAt;
    /** Acknowledged with the version it was sent against ({@code If-Match}), or null without one. */
    volatile Long ackIfMatch;
    /** A 2xx without an id and a version: a client takes it for success, yet it names nothing. */
    volatile boolean falseAcknowledgement;
    /** Never answered 2xx before the client gave up. */
    volatile boolean unresolved;
    /** Sent without {@code Idempotency-Key} and answered with something else than 2xx: not retried. */
    volatile boolean abandoned;

    private Operation(String key, Kind kind, UUID taskId, boolean idempotent) {
        this.key = key;
        this.kind = kind;
        this.taskId = taskId;
        this.idempotent = idempotent;
    }

    static Operation createTask(String key) {
        return createTask(key, true);
    }

    static Operation createTask(String key, boolean idempotent) {
        return new Operation(key, Kind.CREATE_TASK, null, idempotent);
    }

    static Operation addStep(String key, UUID taskId, Long ifMatch) {
        return addStep(key, taskId, ifMatch, true);
    }

    static Operation addStep(String key, UUID taskId, Long ifMatch, boolean idempotent) {
        Operation operation = new Operation(key, Kind.ADD_STEP, taskId, idempotent);
        operation.ifMatch = ifMatch;
        return operation;
    }

    boolean acknowledged() {
        return ackId != null;
    }

    /** The task the operation's effect lives on. */
    UUID task() {
        return kind == Kind.CREATE_TASK ? ackId : taskId;
    }
}
