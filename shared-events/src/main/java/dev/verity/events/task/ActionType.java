package dev.verity.events.task;

import dev.verity.events.common.Wire;

public enum ActionType implements Wire {
    FORM_SUBMIT, SINGLE_SELECT, MULTI_SELECT, TEXT_INPUT, FILE_UPLOAD, APPROVE_REJECT, EXTERNAL_LINK;

    @Override
    public String wire() {
        return name();
    }
}
