-- Lane rules (issue 19): permits, pools, reservations and pay-by-plate accounts, pushed by the cloud as one
-- versioned snapshot per lot (command.update-lane-rules) and decided here with no network.

-- Plates are compared by their key (org.openparking.protocol.Plates.key: normalised, O/Q->0, I->1, B->8).
-- New rows get it from Java; this backfill is the same folding, once, for rows written before V30.
ALTER TABLE sessions ADD COLUMN plate_key TEXT;
UPDATE sessions SET plate_key = replace(replace(replace(replace(plate, 'O', '0'), 'Q', '0'), 'I', '1'), 'B', '8')
WHERE plate IS NOT NULL;
CREATE INDEX sessions_plate_key ON sessions (plate_key, status);

INSERT OR IGNORE INTO allow_list (plate)
SELECT replace(replace(replace(replace(plate, 'O', '0'), 'Q', '0'), 'I', '1'), 'B', '8') FROM allow_list;
DELETE FROM allow_list
WHERE plate <> replace(replace(replace(replace(plate, 'O', '0'), 'Q', '0'), 'I', '1'), 'B', '8');

-- The snapshot in force: its version (older ones are ignored) and when the cloud built it (STALE_RULES).
CREATE TABLE lane_rules_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     INTEGER NOT NULL,
    issued_at   TEXT    NOT NULL,
    applied_at  TEXT    NOT NULL,
    pool_counts_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE permits (
    permit_id   TEXT PRIMARY KEY,
    plate       TEXT,
    plate_key   TEXT,
    card        TEXT,
    valid_from  TEXT,
    valid_until TEXT,
    window      TEXT    NOT NULL CHECK (window IN ('HARD', 'SOFT')),
    levels      TEXT    NOT NULL,  -- comma-separated level ids; empty: every level
    pool_id     TEXT,
    suspended   INTEGER NOT NULL
);
CREATE INDEX permits_plate ON permits (plate_key);
CREATE INDEX permits_card ON permits (card);

-- share: what this level may admit of the pool on its own count (the offline rule, docs/lanes.md).
CREATE TABLE pools (
    pool_id TEXT PRIMARY KEY,
    max     INTEGER NOT NULL,
    share   INTEGER NOT NULL
);

CREATE TABLE reservations (
    reservation_id TEXT PRIMARY KEY,
    plate_key      TEXT,
    code           TEXT,
    valid_from     INTEGER NOT NULL,  -- epoch milliseconds, compared in SQL
    valid_until    INTEGER NOT NULL,
    level_id       TEXT,
    prepaid        INTEGER NOT NULL
);
CREATE INDEX reservations_plate ON reservations (plate_key);
CREATE INDEX reservations_code ON reservations (code);

CREATE TABLE accounts (
    plate_key      TEXT PRIMARY KEY,
    payment_method TEXT NOT NULL
);

-- What a session entered with (a permit or a reservation); kept when a new snapshot replaces the rules.
CREATE TABLE session_rights (
    session_id  TEXT PRIMARY KEY REFERENCES sessions (session_id),
    kind        TEXT    NOT NULL CHECK (kind IN ('PERMIT', 'RESERVATION')),
    ref_id      TEXT    NOT NULL,
    pool_id     TEXT,
    free_exit   INTEGER NOT NULL,
    soft_window INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX session_rights_ref ON session_rights (kind, ref_id);
CREATE INDEX session_rights_pool ON session_rights (pool_id);

-- Anti-passback of permits: inside after an entry, out after an exit; an operator sets one to neutral.
CREATE TABLE permit_presence (
    permit_id  TEXT PRIMARY KEY,
    inside     INTEGER NOT NULL,
    session_id TEXT,
    updated_at TEXT    NOT NULL
);
