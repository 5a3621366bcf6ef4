-- Dead letters belong to a tenant, like the rows they failed to write: a tenant's admin sees,
-- retries and discards only its own. Axon writes dead_letter_entry itself and knows nothing of
-- tenants, so the tenant is read from the parked event's serialized metadata (Jackson JSON with
-- "tenantId", as every event carries) by a trigger on every insert. An event without a readable
-- tenant gets NULL: only an operator sees it.

ALTER TABLE event_store.dead_letter_entry ADD COLUMN tenant_id UUID;

CREATE FUNCTION event_store.metadata_tenant(meta_data BYTEA) RETURNS UUID
    LANGUAGE plpgsql IMMUTABLE AS
$$
BEGIN
    RETURN (convert_from(meta_data, 'UTF8')::jsonb ->> 'tenantId')::uuid;
EXCEPTION
    WHEN OTHERS THEN
        RETURN NULL;
END;
$$;

CREATE FUNCTION event_store.dead_letter_tenant() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.tenant_id := event_store.metadata_tenant(NEW.meta_data);
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_dead_letter_entry_tenant
    BEFORE INSERT OR UPDATE OF meta_data ON event_store.dead_letter_entry
    FOR EACH ROW EXECUTE FUNCTION event_store.dead_letter_tenant();

UPDATE event_store.dead_letter_entry SET tenant_id = event_store.metadata_tenant(meta_data);

CREATE INDEX idx_dead_letter_entry_tenant ON event_store.dead_letter_entry (tenant_id, processing_group);

-- Causes used to keep the exception's message, which PostgreSQL fills with row values ("Key
-- (id)=(...)", invalid bytes): payload fragments. From now on only the class and SQLState are
-- stored (DeadLetterConfiguration); letters parked before keep their class and lose the message.
UPDATE event_store.dead_letter_entry
   SET cause_message = 'message withheld (parked before causes were sanitized)'
 WHERE cause_message IS NOT NULL;
