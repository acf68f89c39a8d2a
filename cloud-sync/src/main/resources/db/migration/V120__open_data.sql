-- Open data (issue 18): what an operator publishes about a lot, and the samples the trend is computed from.

-- One row per lot an operator described; nothing of a lot is public unless published is true. The static site
-- data is the operator's word (name, place, hours, fees); realtime counts come only from the fleet state.
CREATE TABLE open_data_sites (
    lot_id             TEXT PRIMARY KEY,
    published          BOOLEAN     NOT NULL DEFAULT FALSE,
    publish_levels     BOOLEAN     NOT NULL DEFAULT TRUE,
    publish_realtime   BOOLEAN     NOT NULL DEFAULT TRUE,
    name               TEXT        NOT NULL,
    address            TEXT,
    lat                DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon                DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
    time_zone          TEXT        NOT NULL,
    opening_hours      TEXT,
    fee_summary        TEXT,
    height_limit_cm    INTEGER CHECK (height_limit_cm > 0),
    spaces             JSONB       NOT NULL DEFAULT '{}',
    version            BIGINT      NOT NULL DEFAULT 1,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by         TEXT
);

-- Free counts of each level as the sampler saw them change (one row per new level version), for the trend.
CREATE TABLE open_data_samples (
    lot_id     TEXT        NOT NULL,
    level_id   TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    free       INTEGER     NOT NULL,
    capacity   INTEGER     NOT NULL,
    sampled_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lot_id, level_id, version)
);
CREATE INDEX open_data_samples_at ON open_data_samples (lot_id, level_id, sampled_at DESC);
