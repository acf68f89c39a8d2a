-- Users of the API and portal, the lots each operator (tenant) owns, and the append-only audit log.

-- operator_id NULL: a platform user who sees every lot. Otherwise the user sees only the lots in
-- operator_lots for that operator.
CREATE TABLE users (
    username      TEXT PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
    operator_id   TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by    TEXT
);

CREATE TABLE operator_lots (
    operator_id TEXT NOT NULL,
    lot_id      TEXT NOT NULL,
    PRIMARY KEY (operator_id, lot_id)
);
CREATE INDEX operator_lots_lot ON operator_lots (lot_id);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    actor      TEXT        NOT NULL,
    role       TEXT,
    action     TEXT        NOT NULL,
    target     TEXT        NOT NULL,
    lot_id     TEXT,
    reason     TEXT,
    request_id TEXT,
    detail     JSONB
);
CREATE INDEX audit_log_lot ON audit_log (lot_id, at DESC);

-- Append-only, enforced by the database itself: no UPDATE, DELETE or TRUNCATE of audit rows.
CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- Who is acting: set per connection by the API (AuditingDataSource) from the authenticated request.
CREATE FUNCTION audit_setting(name TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('parking.' || name, true), '')
$$;

-- Operator actions are audited by triggers on their own rows, so the audit row commits or rolls
-- back with the action in the same transaction, whatever code path wrote it.
CREATE FUNCTION audit_command() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload JSONB;
BEGIN
    -- Tariff commands are audited once per tariff (below), not once per edge.
    IF NEW.type NOT IN ('command.level-status', 'command.open-barrier') THEN
        RETURN NEW;
    END IF;
    BEGIN
        payload := (NEW.body::jsonb) -> 'payload';
    EXCEPTION WHEN others THEN
        payload := NULL;
    END;
    INSERT INTO audit_log (actor, role, action, target, lot_id, reason, request_id, detail)
    VALUES (coalesce(audit_setting('actor'), NEW.requested_by, 'system'), audit_setting('role'),
            CASE NEW.type WHEN 'command.open-barrier' THEN 'barrier.open'
                 ELSE CASE WHEN (payload ->> 'closed')::boolean THEN 'level.close' ELSE 'level.open' END END,
            CASE NEW.type WHEN 'command.open-barrier' THEN NEW.edge_id || '/' || coalesce(payload ->> 'laneId', '?')
                 ELSE NEW.edge_id END,
            NEW.lot_id, payload ->> 'reason', audit_setting('request_id'),
            jsonb_build_object('commandId', NEW.command_id));
    RETURN NEW;
END $$;
CREATE TRIGGER commands_audit AFTER INSERT ON commands FOR EACH ROW EXECUTE FUNCTION audit_command();

CREATE FUNCTION audit_tariff() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, role, action, target, lot_id, reason, request_id, detail)
    VALUES (coalesce(audit_setting('actor'), NEW.requested_by, 'system'), audit_setting('role'), 'tariff.update',
            NEW.lot_id || '@v' || NEW.version, NEW.lot_id, NULL, audit_setting('request_id'),
            jsonb_build_object('version', NEW.version));
    RETURN NEW;
END $$;
CREATE TRIGGER tariffs_audit AFTER INSERT ON tariffs FOR EACH ROW EXECUTE FUNCTION audit_tariff();

CREATE FUNCTION audit_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor, role, action, target, lot_id, reason, request_id, detail)
    VALUES (coalesce(audit_setting('actor'), NEW.requested_by, 'system'), audit_setting('role'), 'refund.request',
            NEW.session_id, (SELECT lot_id FROM sessions WHERE session_id = NEW.session_id), NEW.reason,
            audit_setting('request_id'),
            jsonb_build_object('refundId', NEW.refund_id, 'paymentId', NEW.payment_id, 'amount', NEW.amount,
                               'currency', NEW.currency));
    RETURN NEW;
END $$;
CREATE TRIGGER refunds_audit AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION audit_refund();
