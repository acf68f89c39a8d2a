-- Fleet scale (issue 16).

-- The rows every batch updates (an edge's tracking, a level's availability) are rewritten in place
-- (HOT: no indexed column changes) when their page has room; half-full pages leave that room, and
-- autovacuum reclaims the dead versions after a fixed number of updates instead of after a fraction
-- of the table, which on a 10,000-row table would let a replay pile up hundreds of thousands first.
ALTER TABLE edges SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                       autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE levels SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                        autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE edge_seq_pending SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                                  autovacuum_vacuum_cost_delay = 0);

-- Live views are pushed, not polled: every committed change of a level's availability is
-- announced on channel parking_levels (delivered at commit, to every listening cloud-sync
-- instance), carrying the row as the stream sends it. An upsert that loses to a newer version
-- updates nothing and announces nothing.
CREATE FUNCTION levels_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parking_levels', json_build_object(
        'lotId', NEW.lot_id, 'levelId', NEW.level_id, 'capacity', NEW.capacity, 'occupied', NEW.occupied,
        'free', NEW.free, 'status', NEW.status, 'version', NEW.version,
        'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text);
    RETURN NULL;
END $$;
CREATE TRIGGER levels_changed AFTER INSERT OR UPDATE ON levels FOR EACH ROW EXECUTE FUNCTION levels_notify();

-- Revocations reach every instance the same way, so a revoked token is refused everywhere
-- without a lookup per request.
CREATE FUNCTION revocations_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'revoked_tokens' THEN
        PERFORM pg_notify('parking_revocations', json_build_object('jti', NEW.jti)::text);
    ELSE
        PERFORM pg_notify('parking_revocations', json_build_object(
            'username', NEW.username,
            'revokedBefore', to_char(NEW.revoked_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER revoked_tokens_changed AFTER INSERT ON revoked_tokens
    FOR EACH ROW EXECUTE FUNCTION revocations_notify();
CREATE TRIGGER user_token_revocations_changed AFTER INSERT OR UPDATE ON user_token_revocations
    FOR EACH ROW EXECUTE FUNCTION revocations_notify();
