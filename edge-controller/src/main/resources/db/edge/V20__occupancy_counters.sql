-- Per spot type, the spots, occupied sensors and open sessions entered through this level's gates, kept by
-- triggers in the transaction of every change: an entry reads a few rows instead of counting every spot and
-- session, so a car costs the same on a level of 100 or 100,000 places and after a year of history.
-- Occupancy checks them against a full recount at start (drift reason COUNTER_RECOUNT).
CREATE TABLE type_counts (
    vehicle_type     TEXT PRIMARY KEY,
    capacity         INTEGER NOT NULL DEFAULT 0,
    sensors_occupied INTEGER NOT NULL DEFAULT 0,
    open_sessions    INTEGER NOT NULL DEFAULT 0
);

INSERT INTO type_counts (vehicle_type) SELECT DISTINCT type FROM spots;
INSERT OR IGNORE INTO type_counts (vehicle_type) SELECT DISTINCT spot_type FROM sessions;
UPDATE type_counts SET
    capacity = (SELECT COUNT(*) FROM spots WHERE type = vehicle_type),
    sensors_occupied = (SELECT COALESCE(SUM(occupied), 0) FROM spots WHERE type = vehicle_type),
    open_sessions = (SELECT COUNT(*) FROM sessions WHERE spot_type = vehicle_type AND status = 'OPEN'
                     AND entry_lane NOT IN ('(another level)', '(lost ticket)'));

-- (a row is created with NOT EXISTS, not INSERT OR IGNORE: the outer statement's conflict policy, an upsert's
-- in LevelSetup, would override the trigger's and fail on the existing row)
CREATE TRIGGER spots_counted_in AFTER INSERT ON spots BEGIN
    INSERT INTO type_counts (vehicle_type) SELECT NEW.type
    WHERE NOT EXISTS (SELECT 1 FROM type_counts WHERE vehicle_type = NEW.type);
    UPDATE type_counts SET capacity = capacity + 1, sensors_occupied = sensors_occupied + NEW.occupied
    WHERE vehicle_type = NEW.type;
END;

CREATE TRIGGER spots_counted_out AFTER DELETE ON spots BEGIN
    UPDATE type_counts SET capacity = capacity - 1, sensors_occupied = sensors_occupied - OLD.occupied
    WHERE vehicle_type = OLD.type;
END;

CREATE TRIGGER spots_recounted AFTER UPDATE OF type, occupied ON spots BEGIN
    UPDATE type_counts SET capacity = capacity - 1, sensors_occupied = sensors_occupied - OLD.occupied
    WHERE vehicle_type = OLD.type;
    INSERT INTO type_counts (vehicle_type) SELECT NEW.type
    WHERE NOT EXISTS (SELECT 1 FROM type_counts WHERE vehicle_type = NEW.type);
    UPDATE type_counts SET capacity = capacity + 1, sensors_occupied = sensors_occupied + NEW.occupied
    WHERE vehicle_type = NEW.type;
END;

-- The rows recorded only for an exit here ('(another level)', '(lost ticket)': Session.ENTERED_HERE) never hold
-- a space of this level's gates.
CREATE TRIGGER sessions_counted_in AFTER INSERT ON sessions
WHEN NEW.status = 'OPEN' AND NEW.entry_lane NOT IN ('(another level)', '(lost ticket)') BEGIN
    INSERT INTO type_counts (vehicle_type) SELECT NEW.spot_type
    WHERE NOT EXISTS (SELECT 1 FROM type_counts WHERE vehicle_type = NEW.spot_type);
    UPDATE type_counts SET open_sessions = open_sessions + 1 WHERE vehicle_type = NEW.spot_type;
END;

CREATE TRIGGER sessions_counted_out AFTER DELETE ON sessions
WHEN OLD.status = 'OPEN' AND OLD.entry_lane NOT IN ('(another level)', '(lost ticket)') BEGIN
    UPDATE type_counts SET open_sessions = open_sessions - 1 WHERE vehicle_type = OLD.spot_type;
END;

CREATE TRIGGER sessions_recounted AFTER UPDATE OF status, spot_type, entry_lane ON sessions BEGIN
    UPDATE type_counts SET open_sessions = open_sessions - 1
    WHERE vehicle_type = OLD.spot_type AND OLD.status = 'OPEN'
      AND OLD.entry_lane NOT IN ('(another level)', '(lost ticket)');
    INSERT INTO type_counts (vehicle_type) SELECT NEW.spot_type
    WHERE NOT EXISTS (SELECT 1 FROM type_counts WHERE vehicle_type = NEW.spot_type);
    UPDATE type_counts SET open_sessions = open_sessions + 1
    WHERE vehicle_type = NEW.spot_type AND NEW.status = 'OPEN'
      AND NEW.entry_lane NOT IN ('(another level)', '(lost ticket)');
END;

-- Drift recorded since the level was first set up: the availability's drift figure, read per change instead of
-- counting a table that grows with history.
ALTER TABLE level_state ADD COLUMN drift_count INTEGER NOT NULL DEFAULT 0;
UPDATE level_state SET drift_count = (SELECT COUNT(*) FROM drift);
CREATE TRIGGER drift_counted AFTER INSERT ON drift BEGIN
    UPDATE level_state SET drift_count = drift_count + 1 WHERE id = 1;
END;

-- The session list (GET /sessions, newest first) without sorting a year of history.
CREATE INDEX sessions_entry_time ON sessions (entry_time);
