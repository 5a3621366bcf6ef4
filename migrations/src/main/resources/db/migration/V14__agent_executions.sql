-- Agent executions and budgets, rebuilt from AgentExecution and Budget events. Columns, types,
-- defaults and indexes follow shared/seeds/001 (Praetor), "Agent Execution Tables":
-- agent_executor_state, checkpoint_snapshots, budget_limits. Additions, as on every table:
-- tenant_id (row-level security), version (the aggregate sequence number a row reflects), and
-- created_by (the actor id of the token that created the execution). agent_executor_state also
-- keeps the budget policy fixed at creation (warning_threshold, on_limit_reached) and the
-- budget_state the last usage report answered.
-- Money is DECIMAL as in the seed; the command side refuses any amount with more decimals (or
-- more integer digits) than its column holds, so nothing is ever rounded here.
-- Uniqueness the seed states globally (execution_id, project_id) holds per tenant: ids are
-- chosen by clients and two tenants may use the same one.
-- No foreign keys between read-model tables (see V3): the aggregates guarantee the references.

CREATE TABLE read_model.budget_limits (
    id                UUID          NOT NULL,
    tenant_id         UUID          NOT NULL,
    project_id        UUID          NOT NULL,
    max_tokens        INTEGER       NOT NULL DEFAULT 100000,
    max_cost_usd      DECIMAL(10,4) NOT NULL DEFAULT 5.00,
    warning_threshold DECIMAL(3,2)  NOT NULL DEFAULT 0.80,
    on_limit_reached  VARCHAR(20)   NOT NULL DEFAULT 'pause',
    created_at        TIMESTAMPTZ   NOT NULL,
    updated_at        TIMESTAMPTZ   NOT NULL,
    version           BIGINT        NOT NULL,
    CONSTRAINT pk_budget_limits PRIMARY KEY (id),
    CONSTRAINT uq_budget_limits_project UNIQUE (tenant_id, project_id),
    CONSTRAINT ck_budget_limits_on_limit_reached CHECK (on_limit_reached IN ('pause', 'fail', 'warn')),
    CONSTRAINT ck_budget_limits_max_tokens CHECK (max_tokens > 0),
    CONSTRAINT ck_budget_limits_max_cost CHECK (max_cost_usd > 0),
    CONSTRAINT ck_budget_limits_warning_threshold CHECK (warning_threshold > 0 AND warning_threshold <= 1)
);

CREATE TABLE read_model.agent_executor_state (
    id                   UUID          NOT NULL,
    tenant_id            UUID          NOT NULL,
    execution_id         UUID          NOT NULL,
    project_id           UUID          NOT NULL,
    status               VARCHAR(50)   NOT NULL DEFAULT 'pending',
    strategy             VARCHAR(50)   NOT NULL,
    agents               JSONB         NOT NULL,
    current_step         INTEGER       NOT NULL DEFAULT 0,
    total_steps          INTEGER,
    started_at           TIMESTAMPTZ,
    completed_at         TIMESTAMPTZ,
    tokens_used          INTEGER       NOT NULL DEFAULT 0,
    tokens_limit         INTEGER,
    cost_incurred        DECIMAL(10,4) NOT NULL DEFAULT 0,
    cost_limit           DECIMAL(10,4),
    warning_threshold    DECIMAL(3,2),
    on_limit_reached     VARCHAR(20),
    budget_state         VARCHAR(20)   NOT NULL DEFAULT 'ok',
    intermediate_results JSONB         NOT NULL DEFAULT '{}',
    final_result         JSONB,
    error                JSONB,
    created_by           VARCHAR(255),
    created_at           TIMESTAMPTZ   NOT NULL,
    updated_at           TIMESTAMPTZ   NOT NULL,
    version              BIGINT        NOT NULL,
    CONSTRAINT pk_agent_executor_state PRIMARY KEY (id),
    CONSTRAINT uq_agent_executor_state_execution UNIQUE (tenant_id, execution_id),
    CONSTRAINT ck_agent_executor_state_status
        CHECK (status IN ('pending', 'running', 'paused', 'completed', 'failed')),
    CONSTRAINT ck_agent_executor_state_on_limit_reached CHECK (on_limit_reached IN ('pause', 'fail', 'warn')),
    CONSTRAINT ck_agent_executor_state_budget_state CHECK (budget_state IN ('ok', 'warning', 'exceeded')),
    CONSTRAINT ck_agent_executor_state_steps
        CHECK (current_step >= 0 AND (total_steps IS NULL OR current_step <= total_steps))
);
CREATE INDEX idx_executor_state_project ON read_model.agent_executor_state (project_id);
CREATE INDEX idx_executor_state_status ON read_model.agent_executor_state (status);
-- Keyset pagination of the execution list walks (tenant_id, id).
CREATE INDEX idx_executor_state_tenant_id ON read_model.agent_executor_state (tenant_id, id);

-- Only checkpoints that have not expired: the expiry event removes the row (the event store
-- keeps every checkpoint for history and as-of).
CREATE TABLE read_model.checkpoint_snapshots (
    id              UUID         NOT NULL,
    tenant_id       UUID         NOT NULL,
    execution_id    UUID         NOT NULL,
    step_index      INTEGER      NOT NULL,
    step_name       VARCHAR(100) NOT NULL,
    state           JSONB        NOT NULL,
    sequence_number BIGINT       NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    expires_at      TIMESTAMPTZ,
    CONSTRAINT pk_checkpoint_snapshots PRIMARY KEY (tenant_id, execution_id, id)
);
CREATE INDEX idx_checkpoints_execution ON read_model.checkpoint_snapshots (execution_id);
CREATE INDEX idx_checkpoints_expires ON read_model.checkpoint_snapshots (expires_at);

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['budget_limits', 'agent_executor_state', 'checkpoint_snapshots']
    LOOP
        PERFORM read_model.enable_tenant_isolation(format('read_model.%I', t)::regclass);
    END LOOP;
END
$$;
CREATE INDEX idx_budget_limits_tenant ON read_model.budget_limits (tenant_id);

-- Command side: each project's budget as its latest events left it, so that an execution created
-- without limits takes them from its project's budget. Fed by a subscribing processor in the
-- same transaction as the budget's events, never read from the query side.
CREATE TABLE command_model.budget_lookup (
    tenant_id         UUID          NOT NULL,
    project_id        UUID          NOT NULL,
    budget_id         UUID          NOT NULL,
    max_tokens        INTEGER       NOT NULL,
    max_cost_usd      DECIMAL(10,4) NOT NULL,
    warning_threshold DECIMAL(3,2)  NOT NULL,
    on_limit_reached  VARCHAR(20)   NOT NULL,
    CONSTRAINT pk_budget_lookup PRIMARY KEY (tenant_id, project_id)
);
