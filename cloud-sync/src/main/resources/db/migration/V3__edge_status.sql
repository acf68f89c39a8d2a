-- The newest edge.status snapshot of each edge: its own view of its backlog, link state and version.
ALTER TABLE edges ADD COLUMN software_version           TEXT;
ALTER TABLE edges ADD COLUMN sync_state                 TEXT;
ALTER TABLE edges ADD COLUMN outbox_pending             BIGINT;
ALTER TABLE edges ADD COLUMN oldest_pending_age_seconds BIGINT;
ALTER TABLE edges ADD COLUMN status_at                  TIMESTAMPTZ;
