-- Ramp counters of a counting level (two loops per ramp lane) and what they moved.
CREATE TABLE ramps (
    ramp_id      TEXT PRIMARY KEY,
    vehicle_type TEXT    NOT NULL,
    counted_in   INTEGER NOT NULL DEFAULT 0,
    counted_out  INTEGER NOT NULL DEFAULT 0,
    turned_back  INTEGER NOT NULL DEFAULT 0,
    -- passages that would have taken the count outside [0, capacity]: recorded as drift, not counted
    absorbed     INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT    NOT NULL
);

-- Per spot type, cars on a counting level beyond its open sessions: ramp passages, exits of tickets issued
-- on another level, and operator recounts. Occupied = open sessions + net, kept within [0, capacity].
CREATE TABLE count_adjustments (
    vehicle_type TEXT PRIMARY KEY,
    net          INTEGER NOT NULL
);
