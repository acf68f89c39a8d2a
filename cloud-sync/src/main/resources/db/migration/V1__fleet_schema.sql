-- cloud-sync's read models. Every effect of an event is written in the same transaction as its
-- inbox row, so an event is applied at most once; each column has one source event type (or a
-- "newer version wins" rule), so the final state does not depend on delivery order.

-- One row per delivered envelope id: the idempotency key.
CREATE TABLE inbox (
    message_id   TEXT PRIMARY KEY,
    type         TEXT        NOT NULL,
    edge_id      TEXT        NOT NULL,
    seq          BIGINT      NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per edge controller (one per level). Sequence tracking: last_seq is the highest seq
-- received, contiguous_seq the highest seq below which nothing is missing; edge_seq_pending keeps
-- the seqs received above contiguous_seq so the gaps can be counted and closed.
CREATE TABLE edges (
    edge_id         TEXT PRIMARY KEY,
    lot_id          TEXT        NOT NULL,
    level_id        TEXT        NOT NULL,
    last_seq        BIGINT      NOT NULL DEFAULT 0,
    contiguous_seq  BIGINT      NOT NULL DEFAULT 0,
    events_received BIGINT      NOT NULL DEFAULT 0,
    last_seen       TIMESTAMPTZ,
    last_event_at   TIMESTAMPTZ,
    lag_seconds     DOUBLE PRECISION,
    registered_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX edges_lot ON edges (lot_id, level_id);

CREATE TABLE edge_seq_pending (
    edge_id TEXT   NOT NULL REFERENCES edges (edge_id),
    seq     BIGINT NOT NULL,
    PRIMARY KEY (edge_id, seq)
);

-- Latest availability of a level: a row is replaced only by a higher version.
CREATE TABLE levels (
    lot_id     TEXT        NOT NULL,
    level_id   TEXT        NOT NULL,
    edge_id    TEXT        NOT NULL,
    capacity   INTEGER     NOT NULL,
    occupied   INTEGER     NOT NULL,
    free       INTEGER     NOT NULL,
    by_type    JSONB       NOT NULL,
    status     TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lot_id, level_id)
);

CREATE TABLE lanes (
    lot_id     TEXT        NOT NULL,
    level_id   TEXT        NOT NULL,
    lane_id    TEXT        NOT NULL,
    barrier    TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lot_id, level_id, lane_id)
);

-- Entry columns come only from session.opened, exit columns only from session.closed; status is
-- CLOSED as soon as a close was seen, whichever arrived first.
CREATE TABLE sessions (
    session_id           TEXT PRIMARY KEY,
    edge_id              TEXT        NOT NULL,
    lot_id               TEXT        NOT NULL,
    level_id             TEXT        NOT NULL,
    status               TEXT        NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
    entry_time           TIMESTAMPTZ NOT NULL,
    entry_lane           TEXT,
    plate                TEXT,
    vehicle_type         TEXT,
    entry_tariff_version INTEGER,
    exit_time            TIMESTAMPTZ,
    exit_lane            TEXT,
    fee_amount           BIGINT,
    currency             TEXT,
    payment_status       TEXT,
    payment_id           TEXT,
    tariff_version       INTEGER,
    lost_ticket          BOOLEAN
);
CREATE INDEX sessions_lot_entry ON sessions (lot_id, entry_time DESC);
CREATE INDEX sessions_plate ON sessions (plate);

CREATE TABLE drift_records (
    message_id   TEXT PRIMARY KEY,
    edge_id      TEXT        NOT NULL,
    lot_id       TEXT        NOT NULL,
    level_id     TEXT        NOT NULL,
    vehicle_type TEXT        NOT NULL,
    reason       TEXT        NOT NULL,
    expected     INTEGER     NOT NULL,
    observed     INTEGER     NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL
);

-- Request columns from payment.requested, outcome columns from the first payment.result.
CREATE TABLE payments (
    payment_id         TEXT PRIMARY KEY,
    session_id         TEXT        NOT NULL,
    edge_id            TEXT,
    lot_id             TEXT        NOT NULL,
    level_id           TEXT        NOT NULL,
    plate              TEXT,
    amount             BIGINT      NOT NULL,
    currency           TEXT        NOT NULL,
    deferred           BOOLEAN     NOT NULL DEFAULT FALSE,
    requested_at       TIMESTAMPTZ,
    outcome            TEXT CHECK (outcome IN ('PAID', 'DECLINED', 'FAILED')),
    provider_reference TEXT,
    failure_code       TEXT,
    failure_message    TEXT,
    result_at          TIMESTAMPTZ
);
CREATE INDEX payments_session ON payments (session_id);

-- Deferred payments (the gate already opened) whose final result was DECLINED or FAILED.
CREATE TABLE unable_to_collect (
    payment_id      TEXT PRIMARY KEY REFERENCES payments (payment_id),
    session_id      TEXT        NOT NULL,
    lot_id          TEXT        NOT NULL,
    level_id        TEXT        NOT NULL,
    plate           TEXT,
    amount          BIGINT      NOT NULL,
    currency        TEXT        NOT NULL,
    outcome         TEXT        NOT NULL,
    failure_code    TEXT,
    failure_message TEXT,
    failed_at       TIMESTAMPTZ NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX unable_to_collect_lot ON unable_to_collect (lot_id, failed_at);

-- Every message the cloud sends (commands to edges, refund requests to the worker). The row is
-- written before the publish; sent_at is set only after the broker confirmed, so a row with a
-- null sent_at is re-published with the same body (same envelope id: receivers deduplicate).
CREATE SEQUENCE command_seq;
CREATE TABLE commands (
    command_id       TEXT PRIMARY KEY,
    edge_id          TEXT        NOT NULL,
    lot_id           TEXT        NOT NULL,
    level_id         TEXT        NOT NULL,
    type             TEXT        NOT NULL,
    seq              BIGINT      NOT NULL,
    exchange         TEXT        NOT NULL,
    routing_key      TEXT        NOT NULL,
    body             TEXT        NOT NULL,
    requested_by     TEXT,
    issued_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    publish_attempts INTEGER     NOT NULL DEFAULT 0,
    last_error       TEXT,
    applied_at       TIMESTAMPTZ,
    applied          BOOLEAN,
    applied_detail   TEXT
);
CREATE INDEX commands_unsent ON commands (seq) WHERE sent_at IS NULL;
CREATE INDEX commands_edge ON commands (edge_id, seq);

CREATE TABLE tariffs (
    lot_id       TEXT        NOT NULL,
    version      INTEGER     NOT NULL,
    tariff       JSONB       NOT NULL,
    requested_by TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, version)
);

CREATE TABLE refunds (
    refund_id          TEXT PRIMARY KEY,
    payment_id         TEXT        NOT NULL,
    session_id         TEXT        NOT NULL,
    amount             BIGINT      NOT NULL,
    currency           TEXT        NOT NULL,
    reason             TEXT,
    requested_by       TEXT,
    requested_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    status             TEXT        NOT NULL CHECK (status IN ('REQUESTED', 'REFUNDED', 'FAILED')),
    provider_reference TEXT,
    failure_code       TEXT,
    result_at          TIMESTAMPTZ
);
CREATE INDEX refunds_payment ON refunds (payment_id);
