-- The tasks slice keeps the indexes its queries use and no others: every index is one more entry
-- each task insert writes, and one more each status or assignee change writes (those columns are
-- indexed, so such an update is never HOT). The queries, all in TaskQueries and all under
-- row-level security (so tenant_id = <bound tenant> is always part of them):
--   tasks:         by id (pk_tasks); the list, ORDER BY id LIMIT n, keyset after an id
--                  (idx_tasks_tenant_id), filtered by any of project_id, status, assignee_id, type,
--                  parent_task_id; the versions minVersion waits for, by id (pk_tasks).
--   task_activity: one task's rows ORDER BY sequence_number.
-- Rebuilds copy whatever the live tables hold (ShadowTables), so this holds after one too.

-- A prefix of idx_tasks_tenant_id (tenant_id, id), which serves every lookup it served.
DROP INDEX read_model.idx_tasks_tenant;
-- A prefix of idx_tasks_status (project_id, status), likewise.
DROP INDEX read_model.idx_tasks_project;

-- The list filters by assignee_id alone, which an index led by assignee_type cannot look up.
-- Unassigned tasks (most of them when created) are never looked up by assignee: left out.
DROP INDEX read_model.idx_tasks_assignee;
CREATE INDEX idx_tasks_assignee ON read_model.tasks (assignee_id) WHERE assignee_id IS NOT NULL;

-- Only subtasks are looked up by their parent; a top-level task (parent_task_id NULL) is left out.
DROP INDEX read_model.idx_tasks_parent;
CREATE INDEX idx_tasks_parent ON read_model.tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;

-- No query looks activity up by its type.
DROP INDEX read_model.idx_task_activity_type;
