-- Client retries with an Idempotency-Key have exactly one effect: the key row is written in the
-- same transaction as the command's events, so either both exist or neither does, and a
-- concurrent retry waits on the row and then replays the stored answer.
CREATE TABLE command_model.idempotency_keys (
    tenant_id           UUID         NOT NULL,
    idempotency_key     VARCHAR(255) NOT NULL,
    request_fingerprint BYTEA        NOT NULL,
    response_status     INTEGER,
    response_type       VARCHAR(255),
    response_body       TEXT,
    etag                VARCHAR(64),
    location            TEXT,
    created_at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX idx_idempotency_keys_created ON command_model.idempotency_keys (created_at);
