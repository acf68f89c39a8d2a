-- Issue 19, the rate side: merchant validators (with the department billed back) and coupons per lot, the version of
-- the lot's discounts pushed to its edges (command.discounts), and the validation and coupon each closed session got.

CREATE TABLE validators (
    lot_id        TEXT        NOT NULL,
    validator_id  TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    department    TEXT        NOT NULL,
    kind          TEXT        NOT NULL CHECK (kind IN ('TIME_OFF', 'REPLACE_PRICE', 'AMOUNT_OFF', 'PERCENT_OFF')),
    value         BIGINT      NOT NULL CHECK (value >= 0),
    valid_minutes INTEGER     NOT NULL CHECK (valid_minutes >= 1),
    created_by    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, validator_id)
);

CREATE TABLE coupons (
    lot_id      TEXT        NOT NULL,
    code        TEXT        NOT NULL,
    kind        TEXT        NOT NULL CHECK (kind IN ('TIME_OFF', 'AMOUNT_OFF', 'PERCENT_OFF')),
    value       BIGINT      NOT NULL CHECK (value >= 0),
    max_uses    INTEGER     NOT NULL CHECK (max_uses >= 0),
    valid_from  TIMESTAMPTZ,
    valid_until TIMESTAMPTZ,
    created_by  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (lot_id, code)
);

CREATE TABLE discount_versions (
    lot_id  TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

-- From session.closed's discounts; the level is the exit's, so coupon uses are counted per level.
CREATE TABLE session_discounts (
    session_id TEXT        NOT NULL,
    source     TEXT        NOT NULL CHECK (source IN ('VALIDATION', 'COUPON')),
    lot_id     TEXT        NOT NULL,
    level_id   TEXT        NOT NULL,
    reference  TEXT        NOT NULL,
    department TEXT,
    amount     BIGINT      NOT NULL,
    exit_time  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, source)
);
CREATE INDEX session_discounts_lot ON session_discounts (lot_id, source, reference);

CREATE FUNCTION audit_discount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, role, action, target, lot_id, reason, request_id, detail)
    VALUES (coalesce(audit_setting('actor'), NEW.created_by, 'system'), audit_setting('role'),
            CASE TG_TABLE_NAME WHEN 'validators' THEN 'validator.create' ELSE 'coupon.create' END,
            NEW.lot_id || '/' || coalesce(to_jsonb(NEW) ->> 'validator_id', to_jsonb(NEW) ->> 'code'),
            NEW.lot_id, NULL, audit_setting('request_id'), to_jsonb(NEW) - 'created_by' - 'created_at');
    RETURN NEW;
END $$;
CREATE TRIGGER validators_audit AFTER INSERT ON validators FOR EACH ROW EXECUTE FUNCTION audit_discount();
CREATE TRIGGER coupons_audit AFTER INSERT ON coupons FOR EACH ROW EXECUTE FUNCTION audit_discount();
