-- The ledger (V4) is append-only. The chainer only ever inserts; an UPDATE, DELETE or TRUNCATE
-- is refused here, so a stray statement or a buggy migration cannot quietly rewrite the evidence.
-- This is no defence against the table's owner, who can disable the triggers: that takes DDL,
-- which PostgreSQL's statement logging (log_statement = 'ddl') records, and the chain itself
-- still exposes any rewrite that does not also match a digest saved outside the database.

-- One refusal for every append-only table (the events get it too, in V10).
CREATE FUNCTION event_store.refuse_rewrite() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER trg_ledger_append_only
    BEFORE UPDATE OR DELETE ON event_store.ledger
    FOR EACH ROW EXECUTE FUNCTION event_store.refuse_rewrite();

CREATE TRIGGER trg_ledger_no_truncate
    BEFORE TRUNCATE ON event_store.ledger
    FOR EACH STATEMENT EXECUTE FUNCTION event_store.refuse_rewrite();

-- Positions count chained events from 1; the verifier walks them from there and expects no other.
ALTER TABLE event_store.ledger ADD CONSTRAINT ck_ledger_position_positive CHECK (position >= 1);
