-- Events are never rewritten, and the database says so: an UPDATE, DELETE or TRUNCATE of stored
-- events is refused for every role, the platform's own included. As with the ledger (V6), the
-- table's owner can still disable the triggers; that takes DDL, which statement logging records,
-- and the ledger exposes whatever it changed. The refusal is V6's, shared with the ledger.

CREATE TRIGGER trg_domain_event_entry_append_only
    BEFORE UPDATE OR DELETE ON event_store.domain_event_entry
    FOR EACH ROW EXECUTE FUNCTION event_store.refuse_rewrite();

CREATE TRIGGER trg_domain_event_entry_no_truncate
    BEFORE TRUNCATE ON event_store.domain_event_entry
    FOR EACH STATEMENT EXECUTE FUNCTION event_store.refuse_rewrite();
