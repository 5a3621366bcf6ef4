-- Kit executions, rebuilt from KitExecution events. Columns, types, defaults, CHECKs and indexes
-- follow shared/seeds/001 (Praetor, "Kit System Tables") for kit_executions and
-- kit_execution_outputs. Departures, each for a reason:
-- * tenant_id (RLS) and version (the aggregate sequence number a row reflects, so replays are
--   skipped), as on every read-model table.
-- * user_id is VARCHAR(255), not UUID: it holds the actor id, the token's opaque `sub` claim.
-- * No foreign keys: kit_definitions, projects and users are not ours, and rebuilds fill shadow
--   copies table by table before swapping them in (the aggregate guarantees the references).
-- * kit_execution_outputs carries its own tenant_id and row-level security. The seed leaves the
--   outputs to a join with kit_executions; a policy of their own means no query, however
--   written, can read another tenant's outputs.
-- * Outputs are keyed by tenant, execution and id (like every child table since V11), the kit's
--   output_id is unique within its execution, and each output keeps the sequence_number of the
--   event that recorded it, which orders outputs of one millisecond.
-- * The counters, token figures and times the projection always writes are NOT NULL.
-- Money is NUMERIC(10, 6) as in the seed; the command side refuses an amount it cannot hold
-- exactly rather than letting PostgreSQL round it.

CREATE TABLE read_model.kit_executions (
    id                     UUID         NOT NULL,
    tenant_id              UUID         NOT NULL,
    project_id             UUID         NOT NULL,
    user_id                VARCHAR(255),
    kit_definition_id      UUID,
    kit_id                 VARCHAR(100) NOT NULL,
    kit_version            VARCHAR(50)  NOT NULL,
    status                 VARCHAR(20)  NOT NULL DEFAULT 'pending',
    started_at             TIMESTAMPTZ,
    completed_at           TIMESTAMPTZ,
    execution_time_ms      INTEGER,
    -- What context the run was given; never credentials (the command guard refuses them).
    input_snapshot         JSONB,
    output_count           INTEGER      NOT NULL DEFAULT 0,
    outputs_valid          INTEGER      NOT NULL DEFAULT 0,
    outputs_warnings       INTEGER      NOT NULL DEFAULT 0,
    outputs_failed         INTEGER      NOT NULL DEFAULT 0,
    token_usage_prompt     INTEGER      NOT NULL DEFAULT 0,
    token_usage_completion INTEGER      NOT NULL DEFAULT 0,
    token_usage_total      INTEGER      NOT NULL DEFAULT 0,
    estimated_cost_usd     NUMERIC(10, 6),
    bundle_path            VARCHAR(500),
    bundle_size_bytes      INTEGER,
    error_message          TEXT,
    error_step             VARCHAR(100),
    error_details          JSONB,
    workflow_run_id        VARCHAR(255),
    inngest_run_id         VARCHAR(255),
    created_at             TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    updated_at             TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    version                BIGINT       NOT NULL,
    CONSTRAINT pk_kit_executions PRIMARY KEY (id),
    CONSTRAINT ck_kit_executions_status CHECK (status IN ('pending', 'running', 'completed', 'failed', 'partial'))
);
CREATE INDEX idx_kit_executions_project ON read_model.kit_executions (project_id);
CREATE INDEX idx_kit_executions_status ON read_model.kit_executions (status);
CREATE INDEX idx_kit_executions_kit ON read_model.kit_executions (kit_id);
CREATE INDEX idx_kit_executions_tenant ON read_model.kit_executions (tenant_id);
-- Keyset pagination of the kit execution list walks (tenant_id, id).
CREATE INDEX idx_kit_executions_tenant_id ON read_model.kit_executions (tenant_id, id);

CREATE TABLE read_model.kit_execution_outputs (
    id                     UUID         NOT NULL,
    tenant_id              UUID         NOT NULL,
    execution_id           UUID         NOT NULL,
    output_id              VARCHAR(100) NOT NULL,
    filename               VARCHAR(255) NOT NULL,
    output_type            VARCHAR(20)  NOT NULL,
    status                 VARCHAR(20)  NOT NULL,
    validation_errors      INTEGER      NOT NULL DEFAULT 0,
    validation_warnings    INTEGER      NOT NULL DEFAULT 0,
    validation_auto_fixed  INTEGER      NOT NULL DEFAULT 0,
    repair_attempts        INTEGER      NOT NULL DEFAULT 0,
    validation_details     JSONB,
    -- Content lives in object storage; the row keeps where, how large and its SHA-256.
    content_path           VARCHAR(500),
    content_size_bytes     INTEGER,
    content_hash           VARCHAR(64),
    token_usage_prompt     INTEGER      NOT NULL DEFAULT 0,
    token_usage_completion INTEGER      NOT NULL DEFAULT 0,
    sequence_number        BIGINT       NOT NULL,
    created_at             TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    CONSTRAINT pk_kit_execution_outputs PRIMARY KEY (tenant_id, execution_id, id),
    CONSTRAINT uq_kit_execution_outputs_output_id UNIQUE (tenant_id, execution_id, output_id),
    CONSTRAINT ck_kit_execution_outputs_status CHECK (status IN ('valid', 'warnings', 'failed'))
);
-- The seed's index on execution_id, led by the tenant like every child index since V11, and in
-- the order outputs are read.
CREATE INDEX idx_kit_exec_outputs_execution
    ON read_model.kit_execution_outputs (tenant_id, execution_id, sequence_number);

SELECT read_model.enable_tenant_isolation('read_model.kit_executions'::regclass);
SELECT read_model.enable_tenant_isolation('read_model.kit_execution_outputs'::regclass);
