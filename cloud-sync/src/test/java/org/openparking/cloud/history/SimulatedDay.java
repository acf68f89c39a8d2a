package org.openparking.cloud.history;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.EdgeStatus;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.LaneChanged;
import org.openparking.protocol.PaymentRequested;
import org.openparking.protocol.PaymentResult;
import org.openparking.protocol.VehicleType;

/**
 * A day of a small fleet as its edges and the payment worker would report it, ending now: every level's count
 * changing every few minutes along a morning and evening peak, a status report from every edge every minute
 * (one edge silent for an hour, then draining a backlog), and three days of payments with some declined, failed
 * or still waiting. Seeded, so a run is repeatable; the tests compute what the history must show from the
 * {@link #changes} and {@link #payments} lists, never from the database.
 */
public final class SimulatedDay {
    /** A level's count as of {@code at}. */
    public record Change(String lotId, String levelId, Instant at, int occupied, int capacity) {
    }

    /** An edge.status report. */
    public record Status(String edgeId, Instant at, long pending, long age) {
    }

    /** A payment: {@code outcome} null while it has no result. */
    public record Payment(String lotId, String levelId, String paymentId, Instant requestedAt, Instant resultAt,
                          long amount, PaymentResult.Outcome outcome) {
    }

    /** An envelope to publish and whether it comes from the payment worker (else from its edge). */
    public record Message(Envelope envelope, boolean fromWorker) {
    }

    public record Level(String lotId, String levelId, int capacity) {
        String edgeId() {
            return Envelope.edgeId(lotId, levelId);
        }
    }

    public final Instant end;
    public final Instant start;
    public final List<Level> levels;
    /** The edge that falls silent, and when. */
    public final String silentEdge;
    public final Instant silentFrom;
    public final Instant silentTo;
    public final List<Change> changes = new ArrayList<>();
    public final List<Status> statuses = new ArrayList<>();
    public final List<Payment> payments = new ArrayList<>();
    public final List<Message> messages = new ArrayList<>();

    public SimulatedDay(Instant now, List<Level> levels, long seed) {
        this.end = now.truncatedTo(ChronoUnit.MINUTES);
        this.start = end.minus(Duration.ofHours(24));
        this.levels = levels;
        this.silentEdge = levels.get(1).edgeId();
        this.silentFrom = end.minus(Duration.ofHours(6));
        this.silentTo = end.minus(Duration.ofHours(5));
        Random random = new Random(seed);
        Map<String, long[]> seq = new TreeMap<>();
        List<Envelope> edgeEvents = new ArrayList<>();
        for (Level level : levels) {
            long version = 0;
            // The level's lanes, so the portal has something to pick from.
            for (String lane : List.of("in-1", "out-1")) {
                edgeEvents.add(next(seq, level, start, new LaneChanged(lane, "CLOSED", ++version, start)));
            }
            int occupied = 0;
            for (Instant t = start.plusSeconds(37); t.isBefore(end); t = t.plusSeconds(240 + random.nextInt(480))) {
                double hour = (t.getEpochSecond() % 86_400) / 3600.0;
                // Two peaks (09:00 and 18:00 UTC) over a night floor, with noise.
                double load = 0.1 + 0.75 * Math.exp(-Math.pow((hour - 9) / 2.5, 2))
                        + 0.55 * Math.exp(-Math.pow((hour - 18) / 2.0, 2));
                int target = (int) Math.round(level.capacity() * Math.min(1.0, load));
                occupied = Math.max(0, Math.min(level.capacity(),
                        occupied + (int) Math.signum(target - occupied) * (1 + random.nextInt(6)) + random.nextInt(5) - 2));
                changes.add(new Change(level.lotId(), level.levelId(), t, occupied, level.capacity()));
                int free = level.capacity() - occupied;
                edgeEvents.add(next(seq, level, t, new AvailabilityChanged(level.capacity(), occupied, free,
                        Map.of(VehicleType.STANDARD, new AvailabilityChanged.TypeCount(level.capacity(), free)),
                        free == 0 ? "FULL" : "OPEN", ++version, t)));
            }
            // Status reports every minute, at second 5; the silent edge reports nothing for an hour, then drains.
            for (Instant t = start.plusSeconds(5); t.isBefore(end); t = t.plusSeconds(60)) {
                if (level.edgeId().equals(silentEdge) && !t.isBefore(silentFrom) && t.isBefore(silentTo)) {
                    continue;
                }
                long pending = 0;
                long age = 0;
                if (level.edgeId().equals(silentEdge) && !t.isBefore(silentTo)
                        && t.isBefore(silentTo.plus(Duration.ofMinutes(20)))) {
                    long left = Duration.between(t, silentTo.plus(Duration.ofMinutes(20))).toMinutes();
                    pending = left * 12;
                    age = left * 180;
                }
                statuses.add(new Status(level.edgeId(), t, pending, age));
                edgeEvents.add(Envelope.of(level.edgeId(), level.lotId(), level.levelId(), 0, t,
                        new EdgeStatus("1.0.0-sim", pending > 0 ? "CLOUD_DOWN" : "ONLINE", pending, age)));
            }
        }
        // Three days of payments on every level, about one every 40 minutes per level.
        List<Message> worker = new ArrayList<>();
        int n = 0;
        for (Level level : levels) {
            for (Instant t = end.minus(Duration.ofDays(3)).plusSeconds(random.nextInt(1200)); t.isBefore(end);
                 t = t.plusSeconds(1200 + random.nextInt(2400))) {
                String id = "pay-" + level.lotId() + "-" + level.levelId() + "-" + (++n);
                long amount = 50L * (2 + random.nextInt(40));
                int roll = random.nextInt(100);
                boolean waiting = Duration.between(t, end).toMinutes() < 30 && roll < 50;
                PaymentResult.Outcome outcome = waiting ? null : roll < 84 ? PaymentResult.Outcome.PAID
                        : roll < 94 ? PaymentResult.Outcome.DECLINED : PaymentResult.Outcome.FAILED;
                Instant result = outcome == null ? null : t.plusSeconds(2);
                payments.add(new Payment(level.lotId(), level.levelId(), id, t, result, amount, outcome));
                String session = "s-" + id;
                edgeEvents.add(next(seq, level, t, new PaymentRequested(id, session, amount, "EUR", "pm_card_visa",
                        false, "SIM" + n)));
                if (outcome != null) {
                    worker.add(new Message(Envelope.of(level.edgeId(), level.lotId(), level.levelId(), 0, result,
                            new PaymentResult(id, session, outcome, amount, "EUR",
                                    outcome == PaymentResult.Outcome.PAID ? "pi_" + id : null,
                                    outcome == PaymentResult.Outcome.PAID ? null : "card_declined",
                                    outcome == PaymentResult.Outcome.PAID ? null : "declined", false)), true));
                }
            }
        }
        // Each edge's events in its seq order (the order its outbox sends them), edges interleaved by time.
        edgeEvents.sort(Comparator.comparing(Envelope::occurredAt).thenComparing((Envelope e) -> e.edgeId())
                .thenComparingLong(Envelope::seq));
        edgeEvents.forEach(e -> messages.add(new Message(e, false)));
        messages.addAll(worker);
    }

    private static Envelope next(Map<String, long[]> seq, Level level, Instant at,
                                 org.openparking.protocol.Message payload) {
        long s = ++seq.computeIfAbsent(level.edgeId(), k -> new long[1])[0];
        return Envelope.of(level.edgeId(), level.lotId(), level.levelId(), s, at, payload);
    }

    /** The level's count as of {@code at} (its newest change at or before), null before its first. */
    public Integer occupiedAt(String lotId, String levelId, Instant at) {
        Integer value = null;
        for (Change c : changes) {
            if (c.lotId().equals(lotId) && c.levelId().equals(levelId) && !c.at().isAfter(at)) {
                value = c.occupied();
            }
        }
        return value;
    }

    /** The highest count the level had in [{@code from}, {@code to}), counting the one it entered with. */
    public Integer maxIn(String lotId, String levelId, Instant from, Instant to) {
        Integer max = occupiedAt(lotId, levelId, from.minusNanos(1));
        for (Change c : changes) {
            if (c.lotId().equals(lotId) && c.levelId().equals(levelId) && !c.at().isBefore(from)
                    && c.at().isBefore(to)) {
                max = max == null ? c.occupied() : Math.max(max, c.occupied());
            }
        }
        return max;
    }

    /** Distinct minutes in [{@code from}, {@code to}) with a status report of the edge. */
    public long minutesSeen(String edgeId, Instant from, Instant to) {
        return statuses.stream().filter(s -> s.edgeId().equals(edgeId) && !s.at().isBefore(from)
                && s.at().isBefore(to)).map(s -> s.at().truncatedTo(ChronoUnit.MINUTES)).distinct().count();
    }

    /** Amount collected (PAID) per day of the result in {@code zone}, for one lot. */
    public Map<LocalDate, Long> paidPerDay(String lotId, ZoneId zone) {
        Map<LocalDate, Long> out = new TreeMap<>();
        payments.stream().filter(p -> p.lotId().equals(lotId) && p.outcome() == PaymentResult.Outcome.PAID)
                .forEach(p -> out.merge(LocalDate.ofInstant(p.resultAt(), zone), p.amount(), Long::sum));
        return out;
    }

    /** Payments per day (of the result, or the request while none) in {@code zone} with this outcome (null: none yet). */
    public Map<LocalDate, Long> countPerDay(String lotId, ZoneId zone, PaymentResult.Outcome outcome) {
        Map<LocalDate, Long> out = new TreeMap<>();
        payments.stream().filter(p -> p.lotId().equals(lotId) && p.outcome() == outcome)
                .forEach(p -> out.merge(LocalDate.ofInstant(p.resultAt() != null ? p.resultAt() : p.requestedAt(),
                        zone), 1L, Long::sum));
        return out;
    }
}
