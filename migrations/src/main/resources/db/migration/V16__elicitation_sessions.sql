-- The obligations slice, rebuilt from Session events: seed 001's "Requirements Discovery"
-- tables elicitation_sessions (extended columns of Migration 181), elicitation_obligations (the
-- 21 columns of Migration 182 and the obligation_status ENUM) and obligation_events. The seed
-- documents only the columns later migrations added; the base columns (id, tenant_id,
-- project_id, status, created_by, timestamps, version) are ours, as on the tasks tables.
-- objective_id has no foreign key: discovery_objectives is not a Verity table, and read-model
-- tables never reference each other (rebuilds swap them table by table).

CREATE TYPE read_model.obligation_status AS ENUM ('pending', 'partial', 'satisfied', 'deferred', 'skipped');

CREATE TABLE read_model.elicitation_sessions (
    id                      UUID         NOT NULL,
    tenant_id               UUID         NOT NULL,
    project_id              UUID         NOT NULL,
    status                  VARCHAR(20)  NOT NULL DEFAULT 'active',
    created_by              VARCHAR(255),
    completed_at            TIMESTAMPTZ,
    objective_id            UUID,
    session_phase           VARCHAR      DEFAULT 'opening',
    working_memory_snapshot JSONB,
    completeness_score      NUMERIC(3,2) DEFAULT 0,
    turn_count              INTEGER      DEFAULT 0,
    created_at              TIMESTAMPTZ  NOT NULL,
    updated_at              TIMESTAMPTZ  NOT NULL,
    version                 BIGINT       NOT NULL,
    CONSTRAINT pk_elicitation_sessions PRIMARY KEY (id),
    CONSTRAINT ck_elicitation_sessions_status CHECK (status IN ('active', 'completed', 'abandoned')),
    CONSTRAINT ck_elicitation_sessions_phase
        CHECK (session_phase IN ('opening', 'exploration', 'validation', 'closing')),
    CONSTRAINT ck_elicitation_sessions_completeness CHECK (completeness_score >= 0 AND completeness_score <= 1)
);
-- Keyset pagination of the session list walks (tenant_id, id).
CREATE INDEX idx_elicitation_sessions_tenant_id ON read_model.elicitation_sessions (tenant_id, id);
CREATE INDEX idx_elicitation_sessions_project ON read_model.elicitation_sessions (project_id, status);

-- Obligations are members of their session: keyed by tenant, session and id, and unique by key
-- within the session. sequence_number (the event that created the row) orders them.
CREATE TABLE read_model.elicitation_obligations (
    id                 UUID                         NOT NULL,
    tenant_id          UUID                         NOT NULL,
    session_id         UUID                         NOT NULL,
    obligation_key     TEXT                         NOT NULL,
    description        TEXT,
    status             read_model.obligation_status NOT NULL DEFAULT 'pending',
    collection_type    TEXT,
    widget_type        TEXT,
    dependencies       JSONB                        DEFAULT '[]',
    source             TEXT,
    origin_layer       TEXT,
    origin_source_id   UUID,
    pool_id            TEXT,
    task_priority      INTEGER                      DEFAULT 5,
    negotiation_state  JSONB,
    confidence         NUMERIC(3,2)                 DEFAULT 0,
    extracted_value    JSONB,
    attempts           INTEGER                      DEFAULT 0,
    max_attempts       INTEGER                      DEFAULT 3,
    last_attempt_turn  INTEGER,
    satisfied_at_turn  INTEGER,
    category           TEXT,
    field_path         VARCHAR(500),
    agent_notes        TEXT,
    follow_up_strategy TEXT,
    satisfied_when     TEXT,
    expertise_required TEXT,
    embedding          vector(1536),
    sequence_number    BIGINT                       NOT NULL,
    created_at         TIMESTAMPTZ                  NOT NULL,
    updated_at         TIMESTAMPTZ                  NOT NULL,
    CONSTRAINT pk_elicitation_obligations PRIMARY KEY (tenant_id, session_id, id),
    CONSTRAINT uq_elicitation_obligations_key UNIQUE (tenant_id, session_id, obligation_key),
    CONSTRAINT ck_elicitation_obligations_confidence CHECK (confidence >= 0 AND confidence <= 1)
);
CREATE INDEX idx_elicitation_obligations_status ON read_model.elicitation_obligations (session_id, status);
CREATE INDEX idx_elicitation_obligations_category ON read_model.elicitation_obligations (session_id, category);
-- Similarity search by cosine distance. Filtered searches (tenant under RLS, session, status)
-- rely on pgvector 0.8's iterative index scans, which the search turns on per transaction.
CREATE INDEX idx_elicitation_obligations_embedding ON read_model.elicitation_obligations
    USING hnsw (embedding vector_cosine_ops);

-- Exactly the seed's table plus tenant_id: one row per domain event the seed's list names.
-- Rows of one command can share a timestamp, so metadata.sequenceNumber (the event's aggregate
-- sequence number) orders rows of one session after created_at.
CREATE TABLE read_model.obligation_events (
    id             UUID        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id      UUID        NOT NULL,
    session_id     UUID        NOT NULL,
    obligation_key TEXT        NOT NULL,
    event_type     TEXT        NOT NULL,
    old_status     TEXT,
    new_status     TEXT,
    old_confidence NUMERIC(3,2),
    new_confidence NUMERIC(3,2),
    source         TEXT,
    metadata       JSONB                DEFAULT '{}',
    turn_number    INTEGER,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT pk_obligation_events PRIMARY KEY (id),
    CONSTRAINT ck_obligation_events_type CHECK (event_type IN (
        'created', 'status_changed', 'confidence_updated', 'value_extracted',
        'negotiation', 'dependency_resolved', 'merged', 'split'))
);
CREATE INDEX idx_obligation_events_session ON read_model.obligation_events (session_id, created_at);
CREATE INDEX idx_obligation_events_key ON read_model.obligation_events (session_id, obligation_key);
CREATE INDEX idx_obligation_events_type ON read_model.obligation_events (event_type);

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['elicitation_sessions', 'elicitation_obligations', 'obligation_events']
    LOOP
        PERFORM read_model.enable_tenant_isolation(format('read_model.%I', t)::regclass);
    END LOOP;
END
$$;
