package org.openparking.edge.realtime;

import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Who may watch {@code GET /availability/stream} and what they see. The HTTP layer's credential rules
 * (edge.http Credentials) decide; this package only applies the answer. Public counts (availability and
 * heartbeats) are for anyone who may read {@code GET /availability}; lane events (barriers, waiting vehicles)
 * need a credential in token mode, and a stream opened with an operator token ends when that token expires or
 * its key is no longer trusted, as cloud-sync's {@code GET /stream} does.
 */
@FunctionalInterface
public interface StreamAccess {
    /** Everything to everyone: open mode (development, the quick start). */
    StreamAccess OPEN = req -> Viewer.unlimited(true);

    /**
     * The viewer of {@code req}.
     *
     * @throws org.openparking.edge.ParkingException 401/403 for a credential that is present but refused (a
     *                                               stream is never silently downgraded for a bad token)
     */
    Viewer admit(ServerRequest req);

    /**
     * @param lanes     whether lane events are sent
     * @param expiresAt when the stream ends with {@code event: end} ({@code TOKEN_EXPIRED}); null: never
     * @param refusal   checked every heartbeat: null while the credential still holds, else why it no longer
     *                  does (the stream then ends with {@code TOKEN_REVOKED})
     */
    record Viewer(boolean lanes, Instant expiresAt, Supplier<String> refusal) {
        public static Viewer unlimited(boolean lanes) {
            return new Viewer(lanes, null, () -> null);
        }
    }
}
