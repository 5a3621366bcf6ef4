-- Audit: every event as a read-model row (seed 001 event_log, plus where it sits in the event
-- store), the tamper-evident ledger over the event store, and the one definition of tenant
-- isolation that rebuilt tables get again when they are swapped in.

-- Applies the platform's tenant isolation to a read-model table: RLS on app.current_tenant_id,
-- readable by verity_reader. Rebuilds call it on shadow tables before swapping them in.
CREATE OR REPLACE FUNCTION read_model.enable_tenant_isolation(target regclass) RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', target);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s
                        USING (tenant_id = NULLIF(current_setting(''app.current_tenant_id'', true), '''')::uuid)',
                   target);
    EXECUTE format('GRANT SELECT ON %s TO verity_reader', target);
END
$$;

CREATE TABLE read_model.event_log (
    id              UUID         NOT NULL,
    tenant_id       UUID         NOT NULL,
    project_id      UUID,
    event_type      VARCHAR(100) NOT NULL,
    payload         JSONB        NOT NULL,
    actor_type      VARCHAR(20),
    actor_id        VARCHAR(255),
    aggregate_type  VARCHAR(100) NOT NULL,
    aggregate_id    UUID         NOT NULL,
    sequence_number BIGINT       NOT NULL,
    global_index    BIGINT       NOT NULL,
    correlation_id  VARCHAR(128),
    causation_id    VARCHAR(128),
    created_at      TIMESTAMPTZ  NOT NULL,
    CONSTRAINT pk_event_log PRIMARY KEY (id),
    CONSTRAINT uq_event_log_aggregate_sequence UNIQUE (aggregate_id, sequence_number)
);
CREATE INDEX idx_event_log_tenant ON read_model.event_log (tenant_id);
CREATE INDEX idx_event_log_project ON read_model.event_log (project_id);
CREATE INDEX idx_event_log_type ON read_model.event_log (event_type);
CREATE INDEX idx_event_log_created ON read_model.event_log (created_at);
-- The audit listing pages through a tenant's events in global order.
CREATE INDEX idx_event_log_tenant_global ON read_model.event_log (tenant_id, global_index);
SELECT read_model.enable_tenant_isolation('read_model.event_log');

-- hash_n = SHA-256(hash_(n-1) || event fields), one row per event in global order. Written only
-- by the ledger chainer; never updated. A changed, removed or inserted event no longer matches.
CREATE TABLE event_store.ledger (
    position         BIGINT       NOT NULL,
    global_index     BIGINT       NOT NULL,
    event_identifier VARCHAR(255) NOT NULL,
    hash             BYTEA        NOT NULL,
    chained_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT pk_ledger PRIMARY KEY (position),
    CONSTRAINT uq_ledger_global_index UNIQUE (global_index),
    CONSTRAINT ck_ledger_hash_length CHECK (octet_length(hash) = 32)
);
