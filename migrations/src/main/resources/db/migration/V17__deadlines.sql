-- Persistent deadlines for the command side: Axon's DbSchedulerDeadlineManager keeps each
-- scheduled deadline (a checkpoint's expiry) as a row here, so a deadline survives a restart and
-- fires on whichever command node polls first once it is due, also when it fell due while every
-- node was down. This is db-scheduler's own PostgreSQL schema (with the optional priority column).

CREATE TABLE event_store.scheduled_tasks (
    task_name            TEXT                     NOT NULL,
    task_instance        TEXT                     NOT NULL,
    task_data            BYTEA,
    execution_time       TIMESTAMP WITH TIME ZONE NOT NULL,
    picked               BOOLEAN                  NOT NULL,
    picked_by            TEXT,
    last_success         TIMESTAMP WITH TIME ZONE,
    last_failure         TIMESTAMP WITH TIME ZONE,
    consecutive_failures INT,
    last_heartbeat       TIMESTAMP WITH TIME ZONE,
    version              BIGINT                   NOT NULL,
    priority             SMALLINT,
    CONSTRAINT pk_scheduled_tasks PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX idx_scheduled_tasks_execution_time ON event_store.scheduled_tasks (execution_time);
CREATE INDEX idx_scheduled_tasks_last_heartbeat ON event_store.scheduled_tasks (last_heartbeat);
CREATE INDEX idx_scheduled_tasks_priority_execution_time ON event_store.scheduled_tasks (priority DESC, execution_time ASC);
