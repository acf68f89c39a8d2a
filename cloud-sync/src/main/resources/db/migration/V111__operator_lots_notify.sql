-- An operator's lots are held in memory by every cloud-sync instance (auth.OperatorLots, issue 16): any
-- change to them is announced at commit on channel parking_operator_lots, carrying the operator, so each
-- instance drops what it holds for that operator and reads it again on its next request.
CREATE FUNCTION operator_lots_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('parking_operator_lots', OLD.operator_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('parking_operator_lots', NEW.operator_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER operator_lots_changed AFTER INSERT OR UPDATE OR DELETE ON operator_lots
    FOR EACH ROW EXECUTE FUNCTION operator_lots_notify();
