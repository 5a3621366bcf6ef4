package dev.verity.command.task;

import java.util.UUID;

/**
 * What a task command handler answers: the id it created or touched, the task's version after
 * the command, and whether anything new happened (an idempotent replay answers created=false).
 */
record CommandResult(UUID id, long version, boolean created) {
}
