package dev.verity.events.task;

import dev.verity.events.common.Wire;

public enum TaskType implements Wire {
    PROVIDE, DECIDE, REVIEW, CONNECT;

    @Override
    public String wire() {
        return name();
    }
}
