-- The level's truth. Every state change and its outbox rows are written in one transaction.

CREATE TABLE level_state (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    lot_id               TEXT    NOT NULL,
    level_id             TEXT    NOT NULL,
    closed               INTEGER NOT NULL DEFAULT 0,
    closed_reason        TEXT,
    availability_version INTEGER NOT NULL DEFAULT 0,
    updated_at           TEXT    NOT NULL
);

CREATE TABLE spots (
    spot_id    TEXT PRIMARY KEY,
    type       TEXT    NOT NULL,
    occupied   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT    NOT NULL
);

CREATE TABLE lanes (
    lane_id    TEXT PRIMARY KEY,
    direction  TEXT    NOT NULL CHECK (direction IN ('ENTRY', 'EXIT')),
    barrier    TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT    NOT NULL
);

CREATE TABLE tariffs (
    version          INTEGER PRIMARY KEY,
    currency         TEXT    NOT NULL,
    grace_minutes    INTEGER NOT NULL,
    period_minutes   INTEGER NOT NULL,
    price_per_period INTEGER NOT NULL,
    daily_cap        INTEGER NOT NULL,
    lost_ticket_fee  INTEGER NOT NULL,
    applied_at       TEXT    NOT NULL
);

CREATE TABLE sessions (
    session_id     TEXT PRIMARY KEY,
    entry_lane     TEXT    NOT NULL,
    plate          TEXT,
    vehicle_type   TEXT    NOT NULL,
    spot_type      TEXT    NOT NULL,
    entry_time     TEXT    NOT NULL,
    tariff_version INTEGER NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
    exit_lane      TEXT,
    exit_time      TEXT,
    fee_amount     INTEGER,
    currency       TEXT,
    payment_status TEXT,
    payment_id     TEXT,
    lost_ticket    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_open ON sessions (status, spot_type);
CREATE INDEX sessions_plate ON sessions (plate);

-- seq is the per-edge monotonically increasing sequence of ARCHITECTURE.md (AUTOINCREMENT never reuses).
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    exchange    TEXT    NOT NULL,
    routing_key TEXT    NOT NULL,
    body        BLOB    NOT NULL,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

-- Commands and payment results from the cloud, applied exactly once.
CREATE TABLE inbox (
    message_id  TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome     TEXT
);

-- One row per payment attempt. payment_id is deterministic (session and attempt number), and is the
-- Stripe idempotency key, so a request sent twice is charged once.
CREATE TABLE payments (
    payment_id         TEXT PRIMARY KEY,
    session_id         TEXT    NOT NULL,
    attempt            INTEGER NOT NULL,
    amount             INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('REQUESTED', 'PAID', 'DECLINED', 'FAILED', 'DEFERRED')),
    deferred           INTEGER NOT NULL DEFAULT 0,
    via                TEXT    NOT NULL CHECK (via IN ('EXIT', 'PAY_STATION')),
    provider_reference TEXT,
    failure_code       TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    UNIQUE (session_id, attempt)
);
CREATE INDEX payments_session ON payments (session_id);

CREATE TABLE drift (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT    NOT NULL,
    vehicle_type TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    expected     INTEGER NOT NULL,
    observed     INTEGER NOT NULL
);

CREATE TABLE allow_list (
    plate TEXT PRIMARY KEY
);
