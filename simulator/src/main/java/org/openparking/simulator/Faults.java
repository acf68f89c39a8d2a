package org.openparking.simulator;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What each kind of fault of a chaos run did: how often it was thrown, how many events were in flight
 * when it was (the edges' outbox backlog), and the recovery time: from the fault until every
 * session acknowledged before it is in cloud-sync's PostgreSQL. The missing / duplicated / double-charged
 * counts are the run's {@link CountingReport}, which covers every fault of the run together.
 */
final class Faults {
    static final List<String> KINDS = List.of("edge", "cut", "connections", "cloud-sync", "worker", "broker", "postgres",
            "backlog");
    static final List<String> DEFAULT = List.of("edge", "cut", "connections", "cloud-sync", "worker");
    private static final long RECOVERY_TIMEOUT_NANOS = 300_000_000_000L;

    /** One throw: when, the sessions acknowledged before it, the events in flight then. */
    record Thrown(String kind, long startNanos, Set<String> acknowledged, long inFlight) {
    }

    /** A row of the fault table; {@code maxRecoverySeconds} is -1 when some throw never recovered. */
    record Row(String kind, int thrown, long maxInFlight, long totalInFlight, double maxRecoverySeconds, int notRecovered) {
    }

    private final Lot lot;
    private final Ledger ledger;
    private final Map<String, List<Double>> recoveries = new LinkedHashMap<>();
    private final Map<String, List<Long>> inFlight = new LinkedHashMap<>();
    private final Map<String, Integer> unrecovered = new LinkedHashMap<>();

    Faults(Lot lot, Ledger ledger) {
        this.lot = lot;
        this.ledger = ledger;
    }

    /**
     * Called just before a fault is thrown: what is acknowledged, and the events the edges have not yet
     * handed to the broker (their outbox backlog, one fast HTTP call per edge: the queues' depths would
     * need rabbitmqctl, which takes seconds on a loaded machine and would delay the fault).
     */
    Thrown begin(String kind) {
        long pending = 0;
        for (Lot.Edge e : lot.edges()) {
            pending += Math.max(0, lot.outboxPending(e));
        }
        return new Thrown(kind, System.nanoTime(), Set.copyOf(ledger.entries.keySet()), pending);
    }

    /** The fault was thrown (and its service restarted): waits in the background for the recovery. */
    void thrown(Thrown t, Consumer<String> log) {
        synchronized (this) {
            inFlight.computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(t.inFlight());
        }
        Thread.ofVirtual().start(() -> {
            while (System.nanoTime() - t.startNanos() < RECOVERY_TIMEOUT_NANOS) {
                if (arrived(t.acknowledged())) {
                    double seconds = (System.nanoTime() - t.startNanos()) / 1e9;
                    synchronized (this) {
                        recoveries.computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(seconds);
                    }
                    log.accept("%s: the %d sessions acknowledged before it are all in PostgreSQL %.0fs after the fault"
                            .formatted(t.kind(), t.acknowledged().size(), seconds));
                    return;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            synchronized (this) {
                unrecovered.merge(t.kind(), 1, Integer::sum);
            }
            log.accept(t.kind() + ": NOT recovered within " + RECOVERY_TIMEOUT_NANOS / 1_000_000_000L + "s");
        });
    }

    private boolean arrived(Set<String> sessions) {
        if (sessions.isEmpty()) {
            return true;
        }
        try (Connection c = lot.connectCloudDatabase();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM sessions WHERE session_id = ANY(?)")) {
            Array ids = c.createArrayOf("text", sessions.toArray());
            s.setArray(1, ids);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getLong(1) == sessions.size();
            }
        } catch (SQLException e) {
            return false; // PostgreSQL is down or restarting
        }
    }

    synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<Long>> e : inFlight.entrySet()) {
            List<Double> r = recoveries.getOrDefault(e.getKey(), List.of());
            int notRecovered = unrecovered.getOrDefault(e.getKey(), 0);
            int pendingChecks = e.getValue().size() - r.size() - notRecovered;
            notRecovered += Math.max(0, pendingChecks); // still waiting when the report was made
            double max = notRecovered > 0 ? -1 : r.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            rows.add(new Row(e.getKey(), e.getValue().size(), e.getValue().stream().mapToLong(Long::longValue).max().orElse(0),
                    e.getValue().stream().mapToLong(Long::longValue).sum(), max, notRecovered));
        }
        return rows;
    }

    static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder("| fault | thrown | events in flight (max / total) | recovery time (max) |\n|---|---:|---:|---:|\n");
        for (Row r : rows) {
            s.append("| %s | %d | %d / %d | %s |%n".formatted(describe(r.kind()), r.thrown(), r.maxInFlight(), r.totalInFlight(),
                    r.notRecovered() > 0 ? r.notRecovered() + " not recovered" : "%.0fs".formatted(r.maxRecoverySeconds())));
        }
        return s.toString();
    }

    static String describe(String kind) {
        return switch (kind) {
            case "edge" -> "edge kill -9 and restart";
            case "cut" -> "edges' broker link cut";
            case "connections" -> "vhost connections closed";
            case "cloud-sync" -> "cloud-sync kill -9 and restart";
            case "worker" -> "payment worker kill -9 and restart";
            case "broker" -> "RabbitMQ node kill -9 and restart";
            case "postgres" -> "PostgreSQL stop -m immediate and restart";
            case "backlog" -> "long link cut with a backlog (in flight: queued when the link came back; recovery: drain from then)";
            default -> kind;
        };
    }
}
