-- Rotation replaces: trusting a new operator key retires every other one, and a key can be revoked by id.
-- A retired key is kept (not deleted) so that a push of it replayed later is recognised and refused.
ALTER TABLE operator_keys ADD COLUMN retired_at TEXT;
