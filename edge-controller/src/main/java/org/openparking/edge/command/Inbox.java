package org.openparking.edge.command;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import org.openparking.protocol.Envelope;

/** Messages received from the cloud, by id: the exactly-once half of every consumer on the edge. */
public final class Inbox {
    private Inbox() {
    }

    /** Records the message in the caller's transaction; false if it was recorded before. */
    public static boolean record(Connection c, Envelope envelope, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO inbox (message_id, type, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, envelope.id());
            ps.setString(2, envelope.type());
            ps.setString(3, now.toString());
            return ps.executeUpdate() == 1;
        }
    }
}
