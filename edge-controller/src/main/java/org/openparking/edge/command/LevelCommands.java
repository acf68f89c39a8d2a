package org.openparking.edge.command;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.edge.auth.OperatorTokens;
import org.openparking.edge.discount.DiscountRepository;
import org.openparking.edge.lane.LaneController;
import org.openparking.edge.occupancy.Availability;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.edge.outbox.Outbox;
import org.openparking.edge.session.ParkingService;
import org.openparking.platform.jdbc.Database;
import org.openparking.edge.tariff.TariffRepository;
import org.openparking.firmware.BarrierGate;
import org.openparking.protocol.CloseSessionElsewhere;
import org.openparking.protocol.CommandApplied;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.Message;
import org.openparking.protocol.OpenBarrier;
import org.openparking.protocol.SetLevelStatus;
import org.openparking.protocol.Tariff;
import org.openparking.protocol.TrustOperatorKey;
import org.openparking.protocol.Plates;
import org.openparking.protocol.UpdateAllowList;
import org.openparking.protocol.UpdateDiscounts;
import org.openparking.protocol.UpdateLaneRules;
import org.openparking.protocol.UpdateTariff;
import org.openparking.protocol.VehicleType;

/**
 * Operator actions on the level, from the local admin API or as commands from the cloud. A cloud
 * command is applied exactly once: its id goes into the inbox in the same transaction as its effect,
 * with a {@code command.applied} receipt in the outbox.
 */
public final class LevelCommands {
    private static final Logger LOG = Logger.getLogger(LevelCommands.class.getName());

    private final Database db;
    private final Outbox outbox;
    private final Occupancy occupancy;
    private final LevelAvailability board;
    private final TariffRepository tariffs;
    private final Map<String, LaneController> lanes;
    private final Map<String, BarrierGate> barriers;
    private final Clock clock;
    private final OperatorTokens operatorTokens;
    private final ParkingService parking;
    private final Duration remoteOpenMaxAge;
    private final DiscountRepository discounts = new DiscountRepository();

    /** @param remoteOpenMaxAge a barrier-open command older than this (by its issue time) is refused */
    public LevelCommands(Database db, Outbox outbox, Occupancy occupancy, LevelAvailability board,
                         TariffRepository tariffs, Map<String, LaneController> lanes, Map<String, BarrierGate> barriers,
                         OperatorTokens operatorTokens, ParkingService parking, Duration remoteOpenMaxAge,
                         Clock clock) {
        this.db = db;
        this.outbox = outbox;
        this.occupancy = occupancy;
        this.board = board;
        this.tariffs = tariffs;
        this.lanes = lanes;
        this.barriers = barriers;
        this.clock = clock;
        this.operatorTokens = operatorTokens;
        this.parking = parking;
        this.remoteOpenMaxAge = remoteOpenMaxAge;
    }

    public Availability setClosed(boolean closed, String reason, String by) {
        Availability a = db.write(c -> setClosedIn(c, closed, reason));
        board.publish(a);
        LOG.info(() -> "level " + (closed ? "closed" : "opened") + " by " + by + (reason == null ? "" : ": " + reason));
        return a;
    }

    public void openBarrier(String laneId, String reason, String by) {
        if (reason == null || reason.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "REASON_REQUIRED", "a manual open needs a reason");
        }
        lane(laneId).openManually(reason, by);
    }

    public void resetFault(String laneId, String by) {
        lane(laneId);
        barriers.get(laneId).resetFault();
        LOG.info(() -> "barrier fault of lane " + laneId + " reset by " + by);
    }

    /**
     * An operator counted the cars of one type on a counting level: the level shows that count from now on,
     * and the difference is recorded as drift. Returns the availability after the recount.
     */
    public Recount recount(VehicleType type, int occupied, String reason, String by) {
        if (reason == null || reason.isBlank()) {
            throw new ParkingException(Kind.BAD_REQUEST, "REASON_REQUIRED", "a recount needs a reason");
        }
        Recount result = db.write(c -> {
            int shown;
            try {
                shown = occupancy.recount(c, type, occupied);
            } catch (IllegalStateException e) {
                throw new ParkingException(Kind.CONFLICT, "NOT_A_COUNTING_LEVEL", e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ParkingException(Kind.BAD_REQUEST, "INVALID_FIELD", e.getMessage());
            }
            return new Recount(type, shown, occupied, occupancy.refresh(c));
        });
        board.publish(result.availability());
        LOG.info(() -> "level recounted by " + by + ": " + type + " " + result.before() + " -> " + occupied
                + " (" + reason + ")");
        return result;
    }

    /** What a recount changed. */
    public record Recount(VehicleType type, int before, int after, Availability availability) {
    }

    /**
     * A remote barrier-open is obeyed only while fresh: one queued during an outage must not lift the barrier
     * when the edge reconnects hours later. Refused ones are receipted as not applied, with the reason.
     */
    private Applied openBarrierCommand(Envelope envelope, OpenBarrier o) {
        Duration age = Duration.between(envelope.occurredAt(), clock.instant());
        if (age.compareTo(remoteOpenMaxAge) > 0) {
            String detail = "STALE_COMMAND: issued at " + envelope.occurredAt() + ", " + age.toSeconds()
                    + " s ago, older than cloud.remote-open-max-age " + remoteOpenMaxAge + "; lane " + o.laneId()
                    + " stays closed";
            LOG.warning(() -> "command " + envelope.id() + " refused: " + detail);
            return new Applied(false, detail, null);
        }
        return new Applied(lanes.containsKey(o.laneId()), "lane " + o.laneId(), null);
    }

    /** @return whether the tariff was newer than the stored one and is now in force */
    public boolean applyTariff(Tariff tariff) {
        return db.write(c -> tariffs.applyIfNewer(c, tariff, clock.instant()));
    }

    public Tariff currentTariff() {
        return db.read(c -> tariffs.current(c).orElseThrow());
    }

    /** Anti-passback reset of a permit by an operator (docs/lanes.md). */
    public ParkingService.Neutral setNeutral(String permitId, String by) {
        return parking.setNeutral(permitId, by);
    }

    public void replaceAllowList(List<String> plates) {
        db.write(c -> replaceAllowListIn(c, plates));
    }

    /**
     * Applies a command from the cloud exactly once. Returns false if it was already applied (a
     * redelivery), in which case nothing happens.
     */
    public boolean apply(Envelope envelope) {
        if (!(envelope.payload() instanceof Message.Command command)) {
            throw new IllegalArgumentException(envelope.type() + " is not a command");
        }
        Applied applied = db.write(c -> {
            if (!Inbox.record(c, envelope, clock.instant())) {
                return null;
            }
            Applied result = switch (command) {
                case UpdateTariff u -> new Applied(tariffs.applyIfNewer(c, u.tariff(), clock.instant()),
                        "tariff version " + u.tariff().version(), null);
                case SetLevelStatus s -> new Applied(true, s.closed() ? "closed" : "opened", setClosedIn(c, s.closed(),
                        s.reason()));
                case UpdateAllowList l -> {
                    replaceAllowListIn(c, l.plates());
                    yield new Applied(true, l.plates().size() + " plates", null);
                }
                case OpenBarrier o -> openBarrierCommand(envelope, o);
                case UpdateDiscounts d -> new Applied(discounts.applyIfNewer(c, d, clock.instant()),
                        "discounts version " + d.version() + ": " + d.validators().size() + " validator(s), "
                                + d.coupons().size() + " coupon(s)", null);
                case CloseSessionElsewhere x -> {
                    ParkingService.ClosedElsewhere closed = parking.closeElsewhereIn(c, x);
                    yield new Applied(closed.closed(), closed.detail(), closed.availability());
                }
                case UpdateLaneRules r -> new Applied(parking.rules().apply(c, r, clock.instant()),
                        "lane rules version " + r.version() + ": " + r.permits().size() + " permits, " + r.pools().size()
                                + " pools, " + r.reservations().size() + " reservations, " + r.accounts().size()
                                + " accounts", null);
                case TrustOperatorKey k -> {
                    try {
                        operatorTokens.trust(c, k.jwk());
                        yield new Applied(true, "operator key", null);
                    } catch (IllegalArgumentException e) {
                        // Receipted as not applied rather than retried forever: a bad key stays bad.
                        yield new Applied(false, e.getMessage(), null);
                    }
                }
            };
            outbox.append(c, new CommandApplied(envelope.id(), envelope.type(), result.applied(), result.detail()));
            return result;
        });
        if (applied == null) {
            LOG.info(() -> "command " + envelope.id() + " (" + envelope.type() + ") was already applied");
            return false;
        }
        if (applied.availability() != null) {
            board.publish(applied.availability());
        }
        // Physical and in-memory effects follow the commit: a crash in between loses a barrier
        // opening, which is safer than replaying an old one.
        switch (command) {
            case OpenBarrier o when applied.applied() -> openBarrier(o.laneId(), o.reason(), o.requestedBy());
            default -> {
            }
        }
        LOG.info(() -> "command " + envelope.type() + " applied: " + applied.detail());
        return true;
    }

    private record Applied(boolean applied, String detail, Availability availability) {
    }

    private Availability setClosedIn(Connection c, boolean closed, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE level_state SET closed = ?, closed_reason = ?, updated_at = ? WHERE id = 1")) {
            ps.setInt(1, closed ? 1 : 0);
            ps.setString(2, closed ? reason : null);
            ps.setString(3, clock.instant().toString());
            ps.executeUpdate();
        }
        return occupancy.refresh(c);
    }

    private static Void replaceAllowListIn(Connection c, List<String> plates) throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM allow_list");
             PreparedStatement ins = c.prepareStatement("INSERT OR IGNORE INTO allow_list (plate) VALUES (?)")) {
            del.executeUpdate();
            for (String p : plates) {
                // Stored by its key (Plates, the one plate rule), as Dues compares it.
                String key = Plates.key(p);
                if (key != null) {
                    ins.setString(1, key);
                    ins.addBatch();
                }
            }
            ins.executeBatch();
        }
        return null;
    }

    private LaneController lane(String laneId) {
        LaneController lane = lanes.get(laneId);
        if (lane == null) {
            throw new ParkingException(Kind.NOT_FOUND, "UNKNOWN_LANE", "no lane " + laneId + " on this level");
        }
        return lane;
    }
}
