-- Token revocation, checked by the gateway on every authenticated request.

-- One token, by its jti (logout). Kept until the token would have expired anyway; older rows are
-- pruned when the next one is written.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    username   TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_by TEXT        NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Every token of a user issued at or before revoked_before (an admin's "revoke all"). One row per
-- user, moved forward by each revocation. No foreign key: tokens name a subject, which need not be
-- a row of users (and a user deleted later keeps its cut-off).
CREATE TABLE user_token_revocations (
    username       TEXT PRIMARY KEY,
    revoked_before TIMESTAMPTZ NOT NULL,
    revoked_by     TEXT        NOT NULL
);
