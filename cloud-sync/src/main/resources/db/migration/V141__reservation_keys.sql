-- Signed reservation codes (issue 19). The cloud does not hold the lots' ticket secrets (only their edges do), so a
-- reservation is signed with a per-lot Ed25519 key: the private key stays here, the public key is pushed to every
-- level in the lane-rules snapshot. One current key per lot (retired_at NULL); a rotation retires it, and a retired
-- key is still pushed while a reservation it signed is not over, so codes already handed out keep working.
CREATE TABLE lane_reservation_keys (
    lot_id      TEXT        NOT NULL,
    key_id      TEXT        NOT NULL,
    public_key  TEXT        NOT NULL,
    private_key BYTEA       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    retired_at  TIMESTAMPTZ,
    PRIMARY KEY (lot_id, key_id)
);
CREATE UNIQUE INDEX lane_reservation_keys_current ON lane_reservation_keys (lot_id) WHERE retired_at IS NULL;

-- Which key signed a reservation's code (NULL: a plate-only reservation written before signed codes).
ALTER TABLE lane_reservations ADD COLUMN key_id TEXT;
