-- Writes that cannot cross tenants.
--
-- 1. Child rows are addressed by tenant, parent and id. Child ids are chosen by clients and are
--    unique only within their task (the aggregate refuses a reused one), so two tenants, or two
--    tasks, may hold the same child id: their rows now coexist instead of one overwriting or
--    silently dropping the other.
-- 2. Projections write as verity_writer, a role that neither owns the tables nor bypasses
--    row-level security, with the event's tenant bound in app.current_tenant_id. The policies
--    check both the rows a statement can see (USING) and the rows it leaves behind (WITH CHECK),
--    so even a faulty projection statement cannot read, change or create another tenant's rows.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'verity_writer') THEN
        CREATE ROLE verity_writer NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;

GRANT verity_writer TO CURRENT_USER;
GRANT USAGE ON SCHEMA read_model TO verity_writer;
-- The event log places an event read by aggregate (an as-of replay) by its global index, looked
-- up in the store: those two columns and nothing else of the event store.
GRANT USAGE ON SCHEMA event_store TO verity_writer;
GRANT SELECT (event_identifier, global_index) ON event_store.domain_event_entry TO verity_writer;

-- The one definition of tenant isolation every read-model table gets, live, shadow or scratch.
CREATE OR REPLACE FUNCTION read_model.enable_tenant_isolation(target regclass) RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', target);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s
                        USING (tenant_id = NULLIF(current_setting(''app.current_tenant_id'', true), '''')::uuid)
                        WITH CHECK (tenant_id = NULLIF(current_setting(''app.current_tenant_id'', true), '''')::uuid)',
                   target);
    EXECUTE format('GRANT SELECT ON %s TO verity_reader', target);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO verity_writer', target);
END
$$;

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['tasks', 'task_actions', 'task_targets', 'action_submissions', 'task_activity',
                             'steps', 'event_log']
    LOOP
        PERFORM read_model.enable_tenant_isolation(format('read_model.%I', t)::regclass);
    END LOOP;
    -- The key leads with the tenant and the task, which serves every lookup the single-column
    -- tenant and task indexes served.
    FOREACH t IN ARRAY ARRAY['task_actions', 'task_targets', 'action_submissions', 'task_activity', 'steps']
    LOOP
        EXECUTE format('ALTER TABLE read_model.%I DROP CONSTRAINT pk_%s', t, t);
        EXECUTE format('ALTER TABLE read_model.%I ADD CONSTRAINT pk_%s PRIMARY KEY (tenant_id, task_id, id)', t, t);
        EXECUTE format('DROP INDEX IF EXISTS read_model.idx_%s_tenant', t);
    END LOOP;
END
$$;

DROP INDEX read_model.idx_task_actions_task;
DROP INDEX read_model.idx_task_targets_task;
DROP INDEX read_model.idx_action_submissions_task;
DROP INDEX read_model.idx_steps_task;
DROP INDEX read_model.idx_task_activity_task;
CREATE INDEX idx_task_activity_task ON read_model.task_activity (tenant_id, task_id, sequence_number);

-- An action id is unique within its task only, so a submission's key is unique per action of a task.
ALTER TABLE read_model.action_submissions
    DROP CONSTRAINT uq_action_submissions_idempotency,
    ADD CONSTRAINT uq_action_submissions_idempotency UNIQUE (tenant_id, task_id, action_id, idempotency_key);
