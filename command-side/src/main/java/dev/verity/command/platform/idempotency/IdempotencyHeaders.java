package dev.verity.command.platform.idempotency;

/** The header a client sends to make a command idempotent, and the one that marks a replayed answer. */
public final class IdempotencyHeaders {

    public static final String KEY = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";

    private IdempotencyHeaders() {
    }
}
