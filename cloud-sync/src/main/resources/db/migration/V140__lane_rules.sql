-- Lane rules (issue 19): permits, pools, reservations and pay-by-plate accounts of a lot, created through the API
-- (audited) and pushed to every level of the lot as one versioned snapshot (command.update-lane-rules).

-- The lot's snapshot version: raised by every change, so an edge applies only newer snapshots.
CREATE TABLE lane_rule_versions (
    lot_id    TEXT PRIMARY KEY,
    version   BIGINT      NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE lane_permits (
    lot_id           TEXT        NOT NULL,
    permit_id        TEXT        NOT NULL,
    plate            TEXT,
    card             TEXT,
    valid_from       TIMESTAMPTZ,
    valid_until      TIMESTAMPTZ,
    time_window      TEXT        NOT NULL CHECK (time_window IN ('HARD', 'SOFT')),
    levels           TEXT[]      NOT NULL DEFAULT '{}',
    pool_id          TEXT,
    suspended        BOOLEAN     NOT NULL DEFAULT FALSE,
    suspended_reason TEXT,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by       TEXT        NOT NULL,
    PRIMARY KEY (lot_id, permit_id)
);

CREATE TABLE lane_pools (
    lot_id       TEXT        NOT NULL,
    pool_id      TEXT        NOT NULL,
    max_inside   INTEGER     NOT NULL CHECK (max_inside >= 0),
    level_shares JSONB       NOT NULL DEFAULT '{}',
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by   TEXT        NOT NULL,
    PRIMARY KEY (lot_id, pool_id)
);

CREATE TABLE lane_reservations (
    lot_id         TEXT        NOT NULL,
    reservation_id TEXT        NOT NULL,
    plate          TEXT,
    code           TEXT,
    valid_from     TIMESTAMPTZ NOT NULL,
    valid_until    TIMESTAMPTZ NOT NULL CHECK (valid_until > valid_from),
    level_id       TEXT,
    prepaid        BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by     TEXT        NOT NULL,
    PRIMARY KEY (lot_id, reservation_id)
);

-- Pay-by-plate: a payment-method token (never a card number) charged at a ticketless exit.
CREATE TABLE lane_accounts (
    lot_id         TEXT        NOT NULL,
    plate_key      TEXT        NOT NULL,
    plate          TEXT        NOT NULL,
    payment_method TEXT        NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by     TEXT        NOT NULL,
    PRIMARY KEY (lot_id, plate_key)
);

-- What each level reported of each pool (pool.counts), newest version per level wins; the lot's total against
-- the pool's maximum is the over-admission drift the API shows.
CREATE TABLE lane_pool_counts (
    lot_id        TEXT        NOT NULL,
    level_id      TEXT        NOT NULL,
    pool_id       TEXT        NOT NULL,
    inside        INTEGER     NOT NULL,
    version       BIGINT      NOT NULL,
    rules_version BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, level_id, pool_id)
);
