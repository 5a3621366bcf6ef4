-- pgbench: one transaction = one event appended, the shape of an event-store row.
INSERT INTO bench_event (aggregate_id, sequence_number, event_type, payload)
VALUES (gen_random_uuid(), 0, 'TaskCreated', '{"projectId":"00000000-0000-0000-0000-000000000001","type":"PROVIDE","title":"bench task"}');
