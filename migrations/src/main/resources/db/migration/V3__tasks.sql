-- The tasks slice, rebuilt from Task events. Columns follow shared/seeds/001 (Praetor) for
-- tasks, task_actions, task_targets, action_submissions and task_activity, and 004 (CortexOS)
-- for steps and tasks.parent_task_id. Additions: tenant_id (RLS), version (the aggregate
-- sequence number a row reflects, so replays are skipped), and the actors commands need.
-- Actor ids are VARCHAR, not UUID: they come from the token's opaque `sub` claim. Child rows
-- keep the sequence_number of the event that created them: events of one command share a
-- millisecond, so created_at alone cannot order them.
-- Times are TIMESTAMPTZ: the platform stores UTC instants, never local wall time.
-- No foreign keys between read-model tables: the aggregate guarantees the references, and
-- rebuilds fill shadow copies table by table before swapping them in.

CREATE TABLE read_model.tasks (
    id               UUID         NOT NULL,
    tenant_id        UUID         NOT NULL,
    project_id       UUID         NOT NULL,
    parent_task_id   UUID,
    type             VARCHAR(50)  NOT NULL,
    title            VARCHAR(255) NOT NULL,
    description      TEXT,
    status           VARCHAR(50)  NOT NULL DEFAULT 'pending',
    priority         VARCHAR(20)  NOT NULL DEFAULT 'medium',
    assignee_type    VARCHAR(20),
    assignee_id      VARCHAR(255),
    due_date         TIMESTAMPTZ,
    component_key    VARCHAR(100),
    dependencies     UUID[]       NOT NULL DEFAULT '{}',
    blocked_by       UUID[]       NOT NULL DEFAULT '{}',
    block_reason     TEXT,
    completed_at     TIMESTAMPTZ,
    completed_by     VARCHAR(255),
    completion_notes TEXT,
    metadata         JSONB        NOT NULL DEFAULT '{}',
    created_by       VARCHAR(255),
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    version          BIGINT       NOT NULL,
    CONSTRAINT pk_tasks PRIMARY KEY (id),
    CONSTRAINT ck_tasks_type CHECK (type IN ('PROVIDE', 'DECIDE', 'REVIEW', 'CONNECT')),
    CONSTRAINT ck_tasks_status CHECK (status IN ('pending', 'in_progress', 'blocked', 'completed')),
    CONSTRAINT ck_tasks_priority CHECK (priority IN ('low', 'medium', 'high', 'critical'))
);
CREATE INDEX idx_tasks_project ON read_model.tasks (project_id);
CREATE INDEX idx_tasks_status ON read_model.tasks (project_id, status);
CREATE INDEX idx_tasks_assignee ON read_model.tasks (assignee_type, assignee_id);
CREATE INDEX idx_tasks_parent ON read_model.tasks (parent_task_id);
-- Keyset pagination of the task list walks (tenant_id, id).
CREATE INDEX idx_tasks_tenant_id ON read_model.tasks (tenant_id, id);

CREATE TABLE read_model.task_actions (
    id            UUID         NOT NULL,
    tenant_id     UUID         NOT NULL,
    task_id       UUID         NOT NULL,
    type          VARCHAR(50)  NOT NULL,
    label         VARCHAR(255) NOT NULL,
    description   TEXT,
    config        JSONB        NOT NULL DEFAULT '{}',
    display_order INTEGER      NOT NULL DEFAULT 0,
    sequence_number BIGINT       NOT NULL,
    created_at    TIMESTAMPTZ  NOT NULL,
    CONSTRAINT pk_task_actions PRIMARY KEY (id)
);
CREATE INDEX idx_task_actions_task ON read_model.task_actions (task_id);

CREATE TABLE read_model.task_targets (
    id          UUID        NOT NULL,
    tenant_id   UUID        NOT NULL,
    task_id     UUID        NOT NULL,
    target_type VARCHAR(50) NOT NULL,
    target_id   UUID        NOT NULL,
    metadata    JSONB       NOT NULL DEFAULT '{}',
    sequence_number BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT pk_task_targets PRIMARY KEY (id)
);
CREATE INDEX idx_task_targets_task ON read_model.task_targets (task_id);
CREATE INDEX idx_task_targets_target ON read_model.task_targets (target_type, target_id);

CREATE TABLE read_model.action_submissions (
    id                UUID         NOT NULL,
    tenant_id         UUID         NOT NULL,
    task_id           UUID         NOT NULL,
    action_id         UUID         NOT NULL,
    idempotency_key   VARCHAR(255) NOT NULL,
    submitted_by      VARCHAR(255),
    submitted_at      TIMESTAMPTZ  NOT NULL,
    data              JSONB        NOT NULL,
    result            JSONB,
    bindings_executed JSONB,
    sequence_number   BIGINT       NOT NULL,
    created_at        TIMESTAMPTZ  NOT NULL,
    CONSTRAINT pk_action_submissions PRIMARY KEY (id),
    -- The seed makes the key globally unique; across tenants that would let one tenant's key
    -- collide with another's, so it is unique per action instead.
    CONSTRAINT uq_action_submissions_idempotency UNIQUE (tenant_id, action_id, idempotency_key)
);
CREATE INDEX idx_action_submissions_task ON read_model.action_submissions (task_id);
CREATE INDEX idx_action_submissions_idempotency ON read_model.action_submissions (idempotency_key);

CREATE TABLE read_model.task_activity (
    id              UUID        NOT NULL,
    tenant_id       UUID        NOT NULL,
    task_id         UUID        NOT NULL,
    activity_type   VARCHAR(50) NOT NULL,
    actor_type      VARCHAR(20),
    actor_id        VARCHAR(255),
    details         JSONB,
    sequence_number BIGINT      NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT pk_task_activity PRIMARY KEY (id),
    CONSTRAINT ck_task_activity_type CHECK (activity_type IN
        ('created', 'assigned', 'status_changed', 'action_submitted', 'completed', 'blocked', 'unblocked'))
);
CREATE INDEX idx_task_activity_task ON read_model.task_activity (task_id, sequence_number);
CREATE INDEX idx_task_activity_type ON read_model.task_activity (activity_type);

CREATE TABLE read_model.steps (
    id          UUID        NOT NULL,
    tenant_id   UUID        NOT NULL,
    task_id     UUID        NOT NULL,
    action      TEXT        NOT NULL,
    status      VARCHAR(20) NOT NULL DEFAULT 'pending',
    result      TEXT,
    error       TEXT,
    retry_count INTEGER     NOT NULL DEFAULT 0,
    metadata    JSONB       NOT NULL DEFAULT '{}',
    sequence_number BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT pk_steps PRIMARY KEY (id),
    CONSTRAINT ck_steps_status CHECK (status IN ('pending', 'executing', 'completed', 'failed'))
);
CREATE INDEX idx_steps_task ON read_model.steps (task_id);

-- Tenant isolation enforced by PostgreSQL: with no tenant set, current_setting(..., true) is
-- NULL (or '' on a pooled connection that had one set locally before) and no row matches.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['tasks', 'task_actions', 'task_targets', 'action_submissions', 'task_activity', 'steps']
    LOOP
        EXECUTE format('ALTER TABLE read_model.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON read_model.%I
                            USING (tenant_id = NULLIF(current_setting(''app.current_tenant_id'', true), '''')::uuid)', t);
        EXECUTE format('CREATE INDEX idx_%s_tenant ON read_model.%I (tenant_id)', t, t);
        EXECUTE format('GRANT SELECT ON read_model.%I TO verity_reader', t);
    END LOOP;
END
$$;

-- Command side: the set-based facts a Task aggregate cannot know alone (does a dependency
-- exist in this tenant, is it completed, who waits for it), fed by a subscribing processor in
-- the same transaction as the events.
CREATE TABLE command_model.task_lookup (
    task_id   UUID        NOT NULL,
    tenant_id UUID        NOT NULL,
    status    VARCHAR(50) NOT NULL,
    CONSTRAINT pk_task_lookup PRIMARY KEY (task_id)
);

CREATE TABLE command_model.task_dependency (
    task_id       UUID NOT NULL,
    depends_on_id UUID NOT NULL,
    tenant_id     UUID NOT NULL,
    CONSTRAINT pk_task_dependency PRIMARY KEY (task_id, depends_on_id)
);
CREATE INDEX idx_task_dependency_depends_on ON command_model.task_dependency (depends_on_id);
