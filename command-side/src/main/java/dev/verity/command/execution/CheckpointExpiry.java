package dev.verity.command.execution;

import java.util.UUID;

/** The payload of a checkpoint's expiry deadline, stored by the deadline manager until it fires. */
record CheckpointExpiry(UUID checkpointId) {

    static final String DEADLINE = "checkpoint-expiry";
    /** Who the expiry events are attributed to: the platform, not a person. */
    static final String ACTOR_ID = "checkpoint-expiry";
}
