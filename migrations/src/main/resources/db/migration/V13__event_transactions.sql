-- Each event records the transaction that wrote it, so the ledger can chain in an order that is
-- final when read instead of waiting on holes in global_index (docs/ledger.md, "Chain order").
--
-- xid is the writing transaction's 64-bit id (xid8), set by the column default: Axon names its
-- columns on insert and never this one. Every transaction older than the server's
-- pg_snapshot_xmin(pg_current_snapshot()) has ended, and no transaction can start with an id below
-- it, so no event can ever appear below (that xmin, any global_index) in (xid, global_index) order.
--
-- Rows stored before this migration have no writer on record: they read as xid 0, older than any
-- real transaction (ids start at 3), so they stay one final prefix in global_index order, the
-- order the ledger has chained them in. Adding the column with a constant default rewrites no row
-- (PostgreSQL keeps the value in the catalog), so the append-only trigger of V10 is not involved;
-- the default is then switched to the writer's id for every row to come.
ALTER TABLE event_store.domain_event_entry ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE event_store.domain_event_entry ALTER COLUMN xid SET DEFAULT pg_current_xact_id();

-- The chainer reads the next events in this order, from the last one it chained.
CREATE INDEX idx_domain_event_entry_xid_global_index ON event_store.domain_event_entry (xid, global_index);

-- The ledger keeps the transaction of each event it witnessed, so it knows where to continue and
-- the verifier can check the order. Existing rows witnessed pre-xid events: 0, as above. No default
-- is left behind: a chainer that does not know the column cannot append rows without it.
ALTER TABLE event_store.ledger ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE event_store.ledger ALTER COLUMN xid DROP DEFAULT;
