package org.openparking.cloud.auth;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.openparking.cloud.live.ChangeFeed;

/**
 * The lots each operator owns, as the gateway needs them on every request of an operator's token: held in memory
 * per operator once read, and dropped when any instance commits a change to that operator's lots (V111's trigger
 * on {@code operator_lots} announces the operator on channel {@code parking_operator_lots}). While the change feed
 * is not live nothing is held and every request reads them, as before. A token's role and operator are in the token
 * itself and a revoked token is refused before its lots are looked at, so this is the only part of a request's
 * authorization that was read from the database.
 */
public final class OperatorLots implements ChangeFeed.Subscriber {
    /** The channel V111 announces changed operators on. */
    public static final String CHANNEL = "parking_operator_lots";

    private final UserStore users;
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
    // Bumped by every change heard: a read that started before one is not kept (it may predate the change).
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private volatile boolean pushed;

    public OperatorLots(UserStore users) {
        this.users = users;
        users.onLotsChanged(this::notified);
    }

    /** The operator's lots (a copy the caller may keep). */
    public Set<String> of(String operatorId) throws SQLException {
        Set<String> lots = pushed ? held.get(operatorId) : null;
        if (lots != null) {
            return lots;
        }
        long before = changes.get();
        reads.incrementAndGet();
        Set<String> read = Set.copyOf(users.lotsOf(operatorId));
        if (pushed && changes.get() == before) {
            held.put(operatorId, read);
            if (changes.get() != before) {
                // A change came in meanwhile: what was read may be older than it.
                held.remove(operatorId, read);
            }
        }
        return read;
    }

    /** How many times the lots were read from the database (for tests and metrics). */
    public long reads() {
        return reads.get();
    }

    @Override
    public void resync(Connection c) {
        // Nothing is loaded ahead: each operator's lots are read on its next request.
        changes.incrementAndGet();
        held.clear();
        pushed = true;
    }

    @Override
    public void notified(String payload) {
        changes.incrementAndGet();
        held.remove(payload);
    }

    @Override
    public void lost() {
        pushed = false;
        changes.incrementAndGet();
        held.clear();
    }
}
