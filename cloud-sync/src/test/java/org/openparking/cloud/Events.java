package org.openparking.cloud;

import java.time.Instant;
import java.util.Map;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.LaneChanged;
import org.openparking.protocol.Message;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.PaymentStatus;
import org.openparking.protocol.SessionClosed;
import org.openparking.protocol.SessionOpened;
import org.openparking.protocol.VehicleType;

/** Builds the events an edge (and the payment worker) would send, for one edge with its own seq counter. */
public final class Events {
    public static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

    private final String lotId;
    private final String levelId;
    private long seq;

    public Events(String lotId, String levelId) {
        this.lotId = lotId;
        this.levelId = levelId;
    }

    public String edgeId() {
        return Envelope.edgeId(lotId, levelId);
    }

    public String lotId() {
        return lotId;
    }

    public String levelId() {
        return levelId;
    }

    /** The next envelope from this edge (seq + 1). */
    public Envelope next(Message payload) {
        seq++;
        return Envelope.of(edgeId(), lotId, levelId, seq, T0.plusSeconds(seq), payload);
    }

    /** A payment worker result about a session of this edge: it does not take an edge seq. */
    public Envelope fromWorker(Message payload) {
        return Envelope.of(edgeId(), lotId, levelId, 0, T0.plusSeconds(3600), payload);
    }

    public static SessionOpened opened(String sessionId, String plate) {
        return new SessionOpened(sessionId, "in-1", plate, VehicleType.STANDARD, T0, 1);
    }

    public static SessionClosed closed(String sessionId, long fee, PaymentStatus status, String paymentId) {
        return new SessionClosed(sessionId, "out-1", T0, T0.plusSeconds(5400), fee, "EUR", status, paymentId, 1,
                false);
    }

    public static AvailabilityChanged availability(int occupied, long version) {
        return new AvailabilityChanged(100, occupied, 100 - occupied,
                Map.of(VehicleType.STANDARD, new AvailabilityChanged.TypeCount(100, 100 - occupied)),
                occupied >= 100 ? "FULL" : "OPEN", version, T0.plusSeconds(version));
    }

    public static LaneChanged lane(String laneId, String barrier, long version) {
        return new LaneChanged(laneId, barrier, version, T0.plusSeconds(version));
    }

    public static PaymentRequested paymentRequested(String paymentId, String sessionId, long amount, boolean deferred,
                                                    String plate) {
        return new PaymentRequested(paymentId, sessionId, amount, "EUR", "pm_card_visa", deferred, plate);
    }

    public static PaymentResult paymentResult(String paymentId, String sessionId, long amount,
                                              PaymentResult.Outcome outcome, boolean deferred) {
        return new PaymentResult(paymentId, sessionId, outcome, amount, "EUR",
                outcome == PaymentResult.Outcome.PAID ? "pi_" + paymentId : null,
                outcome == PaymentResult.Outcome.PAID ? null : "card_declined",
                outcome == PaymentResult.Outcome.PAID ? null : "Your card was declined.", deferred);
    }
}
