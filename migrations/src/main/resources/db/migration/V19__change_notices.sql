-- Change notices for GET /api/v1/stream: PostgreSQL NOTIFY from the transactions that change
-- the read model or a projection's progress, so every query node (each LISTENs on one connection
-- of its own) hears about changes any node applied. NOTIFY is delivered at commit and dropped on
-- rollback, so nothing is announced that did not happen. Payloads are small JSON objects, far
-- under PostgreSQL's 8000-byte limit; identical payloads within one transaction arrive once.
--
-- verity_records:     {"tenant", "table", "id", "version"} when a record's root row reaches a version
-- verity_projections: {"processor"} when a projection's token moves (every batch it commits),
--                     {"projection"} when its dead letters change,
--                     {"projection", "swapped": true} when a rebuild swaps its tables in (sent by
--                     the query side in the swap's own transaction)

CREATE OR REPLACE FUNCTION read_model.notify_version() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    -- Shadow and scratch copies never get this trigger; the check keeps it so should one be copied.
    IF TG_TABLE_SCHEMA = 'read_model' THEN
        PERFORM pg_notify('verity_records',
                          json_build_object('tenant', NEW.tenant_id, 'table', TG_TABLE_NAME,
                                            'id', NEW.id, 'version', NEW.version)::text);
    END IF;
    RETURN NULL;
END
$$;

-- Root rows, the ones holding a record's version (tasks, agent_executor_state, ...), announce it.
-- Called for each live table here and again by every rebuild swap: a swapped-in table is a copy
-- made with LIKE, which copies no trigger. Tables without id, tenant_id and version are left alone.
CREATE OR REPLACE FUNCTION read_model.enable_version_notices(target regclass) RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    IF (SELECT count(*) FROM pg_attribute
         WHERE attrelid = target AND NOT attisdropped AND attname IN ('id', 'tenant_id', 'version')) = 3 THEN
        EXECUTE format('DROP TRIGGER IF EXISTS notify_version ON %s', target);
        EXECUTE format('CREATE TRIGGER notify_version AFTER INSERT OR UPDATE OF version ON %s
                            FOR EACH ROW EXECUTE FUNCTION read_model.notify_version()', target);
    END IF;
END
$$;

DO $$
DECLARE
    t TEXT;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'read_model' AND c.relkind = 'r'
    LOOP
        PERFORM read_model.enable_version_notices(format('read_model.%I', t)::regclass);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION event_store.notify_token() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('verity_projections', json_build_object('processor', NEW.processor_name)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER notify_token AFTER INSERT OR UPDATE ON event_store.token_entry
    FOR EACH ROW EXECUTE FUNCTION event_store.notify_token();

CREATE OR REPLACE FUNCTION event_store.notify_dead_letter() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('verity_projections',
                      json_build_object('projection',
                                        CASE WHEN TG_OP = 'DELETE' THEN OLD.processing_group
                                             ELSE NEW.processing_group END)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER notify_dead_letter AFTER INSERT OR UPDATE OR DELETE ON event_store.dead_letter_entry
    FOR EACH ROW EXECUTE FUNCTION event_store.notify_dead_letter();
