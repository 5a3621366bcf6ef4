-- The query API reads every read-model table as verity_reader, a role without BYPASSRLS that
-- does not own the tables, so row-level security applies to it even when the connecting user
-- owns the schema. Roles are cluster-wide: create it once, grant it to whoever migrates.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'verity_reader') THEN
        CREATE ROLE verity_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;

GRANT verity_reader TO CURRENT_USER;
GRANT USAGE ON SCHEMA read_model TO verity_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA read_model GRANT SELECT ON TABLES TO verity_reader;
