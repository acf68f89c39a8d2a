-- Final (and pending) outcome of every payment, keyed by the payment id that is also the Stripe
-- idempotency key. A row is written in the same step as the Stripe call, before the result is
-- published and before the request is acked; a redelivered request republishes it instead of
-- charging again.
CREATE TABLE payment_results (
    payment_id         TEXT PRIMARY KEY,
    session_id         TEXT        NOT NULL,
    status             TEXT        NOT NULL CHECK (status IN ('PENDING', 'PAID', 'DECLINED', 'FAILED')),
    amount             BIGINT      NOT NULL,
    currency           TEXT        NOT NULL,
    deferred           BOOLEAN     NOT NULL,
    provider_reference TEXT,
    failure_code       TEXT,
    failure_message    TEXT,
    refunded_amount    BIGINT      NOT NULL DEFAULT 0,
    edge_id            TEXT        NOT NULL,
    lot_id             TEXT        NOT NULL,
    level_id           TEXT        NOT NULL,
    seq                BIGINT      NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_results_provider_reference ON payment_results (provider_reference);

CREATE TABLE refund_results (
    refund_id          TEXT PRIMARY KEY,
    payment_id         TEXT        NOT NULL,
    session_id         TEXT        NOT NULL,
    outcome            TEXT        NOT NULL CHECK (outcome IN ('REFUNDED', 'FAILED')),
    amount             BIGINT      NOT NULL,
    currency           TEXT        NOT NULL,
    provider_reference TEXT,
    failure_code       TEXT,
    edge_id            TEXT        NOT NULL,
    lot_id             TEXT        NOT NULL,
    level_id           TEXT        NOT NULL,
    seq                BIGINT      NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);

-- Stripe may deliver a webhook event more than once: the first delivery wins.
CREATE TABLE webhook_events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
