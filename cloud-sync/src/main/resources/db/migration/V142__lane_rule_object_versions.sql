-- APDS AssignedRights (issue 19): each permit and reservation is exported with an id and a version; the version
-- starts at 1 and rises with every change of the row (a put that replaces it, a suspension, a reinstatement).
ALTER TABLE lane_permits ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE lane_reservations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
