-- Issue 19, the rate side. The tariff's additions (daily maximum rule, time zone, early bird, surcharges) are kept
-- as the tariff's own JSON beside the original columns; NULL for a tariff that has none of them.
ALTER TABLE tariffs ADD COLUMN rules TEXT;

-- The lot's merchant validators and coupons as last pushed by the cloud (command.discounts), replaced whole.
CREATE TABLE discount_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    applied_at TEXT    NOT NULL
);

CREATE TABLE validators (
    validator_id  TEXT PRIMARY KEY,
    name          TEXT    NOT NULL,
    department    TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    value         INTEGER NOT NULL,
    valid_minutes INTEGER NOT NULL
);

CREATE TABLE coupons (
    code           TEXT PRIMARY KEY,
    kind           TEXT    NOT NULL,
    value          INTEGER NOT NULL,
    max_uses       INTEGER NOT NULL,
    valid_from     TEXT,
    valid_until    TEXT,
    uses_elsewhere INTEGER NOT NULL DEFAULT 0
);

-- Each redemption on this level, written in the exit's closing transaction. Kept when the coupon is withdrawn, so a
-- code pushed again later still counts its uses. A code used more than max_uses (two exits racing, or the cloud's
-- count of other levels arriving late) is still recorded: the money is taken, the cloud reports the over-use.
CREATE TABLE coupon_uses (
    code       TEXT NOT NULL,
    session_id TEXT NOT NULL,
    used_at    TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (code, session_id)
);

-- The validation and coupon applied to a closed session's fee, for the bill-back (also sent in session.closed).
CREATE TABLE session_discounts (
    session_id TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('VALIDATION', 'COUPON')),
    reference  TEXT NOT NULL,
    department TEXT,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (session_id, source)
);
