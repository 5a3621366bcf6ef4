-- The similarity search (query side, ObligationSearch) first counts, up to 1,000, the obligations
-- its filters leave, to choose between an exact scan and the HNSW index. For one tenant among ten
-- of 100,000 obligations that count was a sequential scan through some 10,000 rows, row-level
-- security's tenant condition evaluated on each (7 ms median, a quarter of a search, at load 8-13);
-- through the primary key, as with sequential scans off, it fetches each of the 1,000 rows from the
-- heap to see whether it has an embedding (1,012 buffers, 1-2 ms). This index holds only the rows
-- with an embedding, with the columns the search's filters test (tenant, session, status, key), so
-- the count is an index-only scan: 13 buffers, 0.3 ms.
CREATE INDEX idx_elicitation_obligations_embedded ON read_model.elicitation_obligations
    (tenant_id, session_id, status) INCLUDE (obligation_key) WHERE embedding IS NOT NULL;
