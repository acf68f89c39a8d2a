-- What a session entered with under the lane rules (issue 19), as its edge reported it in session.opened: a permit
-- or a reservation of the lot. Walk-ins have no row. The APDS Session's segment references this AssignedRight.
CREATE TABLE session_rights (
    session_id TEXT PRIMARY KEY,
    lot_id     TEXT NOT NULL,
    right_kind TEXT NOT NULL CHECK (right_kind IN ('permit', 'reservation')),
    right_id   TEXT NOT NULL
);
