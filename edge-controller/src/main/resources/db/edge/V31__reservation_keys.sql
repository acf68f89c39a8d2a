-- Signed reservation codes (issue 19): the public keys the lot's reservation codes may be signed with, pushed in
-- the lane-rules snapshot (replaced with it, so a key the cloud stops pushing is no longer trusted). The private
-- keys are the cloud's; this level can verify a code with no network, never mint one.
CREATE TABLE reservation_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL
);
