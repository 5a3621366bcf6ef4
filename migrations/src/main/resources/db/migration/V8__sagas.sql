-- Axon's saga store, so a saga can be added without touching storage. The tasks slice needs
-- none (its process manager is a plain streaming handler over the command_model lookups).
CREATE TABLE event_store.saga_entry (
    saga_id         VARCHAR(255) NOT NULL,
    revision        VARCHAR(255),
    saga_type       VARCHAR(255),
    serialized_saga BYTEA,
    CONSTRAINT pk_saga_entry PRIMARY KEY (saga_id)
);

CREATE TABLE event_store.association_value_entry (
    id                BIGSERIAL    NOT NULL,
    association_key   VARCHAR(255),
    association_value VARCHAR(255),
    saga_id           VARCHAR(255),
    saga_type         VARCHAR(255),
    CONSTRAINT pk_association_value_entry PRIMARY KEY (id)
);
CREATE INDEX idx_association_value_entry_lookup
    ON event_store.association_value_entry (saga_type, association_key, association_value);
CREATE INDEX idx_association_value_entry_saga
    ON event_store.association_value_entry (saga_id, saga_type);
