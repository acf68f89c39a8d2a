-- History for the portal's charts (issue 15): occupancy per level and edge health over time.
--
-- Written by triggers in the same transaction as the change they record, so history needs no timer, misses no
-- committed change and follows the event's own time (a replayed or late event lands in the minute it happened).
-- Each change is folded into two buckets at once: its minute ('m', kept 26 hours, for the 24-hour charts) and its
-- hour ('h', kept 8 days, for the 7-day charts). HistoryRetention deletes older buckets, so a level costs at most
-- 1,560 + 192 rows and an edge the same, whatever the event rate. Within one ingest batch only the batch's
-- newest state of a level reaches the levels table, so intermediate states of one batch (milliseconds apart when
-- live) are folded into that newest one.

CREATE TABLE occupancy_history (
    lot_id       TEXT        NOT NULL,
    level_id     TEXT        NOT NULL,
    resolution   CHAR(1)     NOT NULL CHECK (resolution IN ('m', 'h')),
    bucket_at    TIMESTAMPTZ NOT NULL,
    capacity     INTEGER     NOT NULL,
    -- the level as its newest change in the bucket left it (by that change's time), and the range it spanned
    occupied     INTEGER     NOT NULL,
    occupied_min INTEGER     NOT NULL,
    occupied_max INTEGER     NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    changes      INTEGER     NOT NULL,
    PRIMARY KEY (lot_id, level_id, resolution, bucket_at)
);
CREATE INDEX occupancy_history_age ON occupancy_history (resolution, bucket_at);

CREATE FUNCTION occupancy_history_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    res CHAR(1);
BEGIN
    FOREACH res IN ARRAY ARRAY['m', 'h'] LOOP
        INSERT INTO occupancy_history AS h (lot_id, level_id, resolution, bucket_at, capacity, occupied, occupied_min,
                                            occupied_max, last_at, changes)
        VALUES (NEW.lot_id, NEW.level_id, res,
                date_trunc(CASE res WHEN 'm' THEN 'minute' ELSE 'hour' END, NEW.updated_at, 'UTC'),
                NEW.capacity, NEW.occupied, NEW.occupied, NEW.occupied, NEW.updated_at, 1)
        ON CONFLICT (lot_id, level_id, resolution, bucket_at) DO UPDATE SET
            capacity = CASE WHEN EXCLUDED.last_at >= h.last_at THEN EXCLUDED.capacity ELSE h.capacity END,
            occupied = CASE WHEN EXCLUDED.last_at >= h.last_at THEN EXCLUDED.occupied ELSE h.occupied END,
            occupied_min = LEAST(h.occupied_min, EXCLUDED.occupied),
            occupied_max = GREATEST(h.occupied_max, EXCLUDED.occupied),
            last_at = GREATEST(h.last_at, EXCLUDED.last_at),
            changes = h.changes + 1;
    END LOOP;
    RETURN NULL;
END $$;
-- levels rows change only when a newer version wins (the ingest's upsert), so every firing is a real change.
CREATE TRIGGER levels_history AFTER INSERT OR UPDATE ON levels FOR EACH ROW EXECUTE FUNCTION occupancy_history_record();

-- Edge health: one row per edge and bucket, from its edge.status snapshots (every ~10 s while it is connected).
-- minutes_seen counts the minutes of the bucket with at least one snapshot: online time, and silence is visible.
CREATE TABLE edge_health_history (
    edge_id                     TEXT        NOT NULL,
    lot_id                      TEXT        NOT NULL,
    level_id                    TEXT        NOT NULL,
    resolution                  CHAR(1)     NOT NULL CHECK (resolution IN ('m', 'h')),
    bucket_at                   TIMESTAMPTZ NOT NULL,
    reports                     INTEGER     NOT NULL,
    minutes_seen                INTEGER     NOT NULL,
    sync_state                  TEXT        NOT NULL,
    outbox_pending_max          BIGINT      NOT NULL,
    oldest_pending_age_max      BIGINT      NOT NULL,
    lag_seconds_max             DOUBLE PRECISION,
    last_at                     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (edge_id, resolution, bucket_at)
);
CREATE INDEX edge_health_history_lot ON edge_health_history (lot_id, resolution, bucket_at);
CREATE INDEX edge_health_history_age ON edge_health_history (resolution, bucket_at);

CREATE FUNCTION edge_health_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fresh BOOLEAN;
BEGIN
    INSERT INTO edge_health_history AS h (edge_id, lot_id, level_id, resolution, bucket_at, reports, minutes_seen,
                                          sync_state, outbox_pending_max, oldest_pending_age_max, lag_seconds_max,
                                          last_at)
    VALUES (NEW.edge_id, NEW.lot_id, NEW.level_id, 'm', date_trunc('minute', NEW.status_at, 'UTC'), 1, 1,
            NEW.sync_state, NEW.outbox_pending, NEW.oldest_pending_age_seconds, NEW.lag_seconds, NEW.status_at)
    ON CONFLICT (edge_id, resolution, bucket_at) DO UPDATE SET
        reports = h.reports + 1,
        sync_state = CASE WHEN EXCLUDED.last_at >= h.last_at THEN EXCLUDED.sync_state ELSE h.sync_state END,
        outbox_pending_max = GREATEST(h.outbox_pending_max, EXCLUDED.outbox_pending_max),
        oldest_pending_age_max = GREATEST(h.oldest_pending_age_max, EXCLUDED.oldest_pending_age_max),
        lag_seconds_max = GREATEST(h.lag_seconds_max, EXCLUDED.lag_seconds_max),
        last_at = GREATEST(h.last_at, EXCLUDED.last_at)
    RETURNING (xmax = 0) INTO fresh;
    INSERT INTO edge_health_history AS h (edge_id, lot_id, level_id, resolution, bucket_at, reports, minutes_seen,
                                          sync_state, outbox_pending_max, oldest_pending_age_max, lag_seconds_max,
                                          last_at)
    VALUES (NEW.edge_id, NEW.lot_id, NEW.level_id, 'h', date_trunc('hour', NEW.status_at, 'UTC'), 1, 1,
            NEW.sync_state, NEW.outbox_pending, NEW.oldest_pending_age_seconds, NEW.lag_seconds, NEW.status_at)
    ON CONFLICT (edge_id, resolution, bucket_at) DO UPDATE SET
        reports = h.reports + 1,
        minutes_seen = h.minutes_seen + CASE WHEN fresh THEN 1 ELSE 0 END,
        sync_state = CASE WHEN EXCLUDED.last_at >= h.last_at THEN EXCLUDED.sync_state ELSE h.sync_state END,
        outbox_pending_max = GREATEST(h.outbox_pending_max, EXCLUDED.outbox_pending_max),
        oldest_pending_age_max = GREATEST(h.oldest_pending_age_max, EXCLUDED.oldest_pending_age_max),
        lag_seconds_max = GREATEST(h.lag_seconds_max, EXCLUDED.lag_seconds_max),
        last_at = GREATEST(h.last_at, EXCLUDED.last_at);
    RETURN NULL;
END $$;
-- Only an edge.status sets status_at (and only a newer one): event batches updating the row fire nothing.
CREATE TRIGGER edges_health_insert AFTER INSERT ON edges FOR EACH ROW WHEN (NEW.status_at IS NOT NULL)
    EXECUTE FUNCTION edge_health_record();
CREATE TRIGGER edges_health_update AFTER UPDATE OF status_at ON edges FOR EACH ROW
    WHEN (NEW.status_at IS DISTINCT FROM OLD.status_at) EXECUTE FUNCTION edge_health_record();

-- Revenue and payment outcomes per day come from payments, by the day of the result (or of the request while there
-- is none): this index serves exactly that expression.
CREATE INDEX payments_lot_day ON payments (lot_id, (coalesce(result_at, requested_at)));
