-- Public keys the cloud pushed (command.trust-key) for verifying operator tokens while offline.
CREATE TABLE operator_keys (
    kid         TEXT PRIMARY KEY,
    jwk         TEXT NOT NULL,
    received_at TEXT NOT NULL
);
