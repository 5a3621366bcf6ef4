package dev.verity.command.platform;

import java.util.UUID;

/**
 * What a command handler answers: the id it created or touched, the aggregate's version after
 * the command, and whether anything new happened (an idempotent replay answers created=false).
 */
public record CommandResult(UUID id, long version, boolean created) {
}
