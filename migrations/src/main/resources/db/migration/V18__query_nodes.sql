-- Query-side nodes sharing the projections' segments (docs/projections.md, "Several query nodes").
-- Each running node keeps its row fresh; a node whose heartbeat is older than the node timeout is
-- taken for dead, and the others divide its segments among themselves.
CREATE TABLE event_store.query_node (
    node_id      VARCHAR(255) NOT NULL PRIMARY KEY,
    started_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- A processor paused on every node at once, for a rebuild's swap or a verification's snapshot:
-- while a row is here and not expired, no node claims a segment of that processor. The node that
-- paused it renews expires_at with its heartbeat, so a pause outlives no crash for long.
CREATE TABLE event_store.processor_pause (
    processor_name VARCHAR(255) NOT NULL PRIMARY KEY,
    paused_by      VARCHAR(255) NOT NULL,
    reason         TEXT         NOT NULL,
    paused_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    expires_at     TIMESTAMPTZ  NOT NULL
);
