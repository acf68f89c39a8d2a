-- Partner webhooks (issue 18): who is told about which lots, what each was last told, and a durable queue of
-- signed deliveries. Not the platform outbox (commands): that one never gives up on a row, and a partner's
-- delivery must go dead after a bound, be retried on its own schedule and never hold up another partner.

CREATE TABLE partners (
    partner_id  TEXT PRIMARY KEY CHECK (partner_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    operator_id TEXT,
    url         TEXT        NOT NULL,
    secret      TEXT        NOT NULL,
    created_by  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE partner_lots (
    partner_id TEXT NOT NULL REFERENCES partners (partner_id) ON DELETE CASCADE,
    lot_id     TEXT NOT NULL,
    PRIMARY KEY (partner_id, lot_id)
);

-- What a partner was last sent about a level: the coalescing and transition state.
CREATE TABLE webhook_state (
    partner_id      TEXT        NOT NULL REFERENCES partners (partner_id) ON DELETE CASCADE,
    lot_id          TEXT        NOT NULL,
    level_id        TEXT        NOT NULL,
    changed_version BIGINT      NOT NULL,
    changed_at      TIMESTAMPTZ NOT NULL,
    occupancy       TEXT        NOT NULL,
    PRIMARY KEY (partner_id, lot_id, level_id)
);

-- One row per event for a partner; event_id is the receiver's deduplication key (Webhook-Id), the same on
-- every retry. A partner's rows are delivered in delivery_id order, one at a time.
CREATE TABLE webhook_deliveries (
    delivery_id     BIGSERIAL PRIMARY KEY,
    partner_id      TEXT        NOT NULL REFERENCES partners (partner_id) ON DELETE CASCADE,
    event_id        TEXT        NOT NULL UNIQUE,
    type            TEXT        NOT NULL,
    lot_id          TEXT        NOT NULL,
    level_id        TEXT        NOT NULL,
    body            TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    failed_at       TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    dead_at         TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (partner_id, delivery_id)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
