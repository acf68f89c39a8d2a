package org.openparking.simulator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what the edges acknowledged to drivers (the {@link Ledger}) with what cloud-sync's
 * PostgreSQL holds and what the Stripe stub was asked to charge. A row per kind of record:
 * expected (acknowledged), matched, missing, duplicated, double-charged.
 */
record CountingReport(List<Row> rows, List<String> notes) {
    record Row(String what, long expected, long matched, long missing, long duplicated, long doubleCharged) {
    }

    boolean clean() {
        return rows.stream().allMatch(r -> r.missing() == 0 && r.duplicated() == 0 && r.doubleCharged() == 0);
    }

    private record PgSession(String plate, String status) {
    }

    private record PgPayment(String paymentId, String sessionId, String outcome, boolean deferred) {
    }

    static CountingReport of(Ledger ledger, Connection db, StripeStub.Charges stripe) throws SQLException {
        Map<String, PgSession> sessions = new HashMap<>();
        Map<String, Integer> sessionsPerPlate = new HashMap<>();
        List<PgPayment> payments = new ArrayList<>();
        try (Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT session_id, plate, status FROM sessions WHERE lot_id = '"
                    + Lot.LOT_ID + "'")) {
                while (rs.next()) {
                    sessions.put(rs.getString(1), new PgSession(rs.getString(2), rs.getString(3)));
                    sessionsPerPlate.merge(String.valueOf(rs.getString(2)), 1, Integer::sum);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT payment_id, session_id, outcome, deferred FROM payments")) {
                while (rs.next()) {
                    payments.add(new PgPayment(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
        }
        Map<String, List<PgPayment>> paymentsBySession = new HashMap<>();
        for (PgPayment p : payments) {
            paymentsBySession.computeIfAbsent(p.sessionId(), k -> new ArrayList<>()).add(p);
        }
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();

        // Sessions: every 201 entry is a row in PostgreSQL, once (a plate entered once has one session).
        long matched = ledger.entries.keySet().stream().filter(sessions::containsKey).count();
        long duplicatedSessions = ledger.entries.values().stream()
                .mapToLong(e -> Math.max(0, sessionsPerPlate.getOrDefault(e.plate(), 0) - 1)).sum();
        rows.add(new Row("sessions (201 entries)", ledger.entries.size(), matched,
                ledger.entries.size() - matched, duplicatedSessions, 0));

        // Exits: every acknowledged exit closed its session.
        long closed = ledger.exits.keySet().stream()
                .filter(id -> sessions.containsKey(id) && "CLOSED".equals(sessions.get(id).status())).count();
        rows.add(new Row("exits (200 PAID/DEFERRED/NOT_REQUIRED)", ledger.exits.size(), closed,
                ledger.exits.size() - closed, 0, 0));

        // Payments: PAID and DEFERRED exits and pay-station payments each have a final payment in PostgreSQL.
        Map<String, String> expectedPayments = new HashMap<>(); // session -> PAID | FINAL
        ledger.exits.values().forEach(e -> {
            if ("PAID".equals(e.paymentStatus())) {
                expectedPayments.put(e.sessionId(), "PAID");
            } else if ("DEFERRED".equals(e.paymentStatus())) {
                expectedPayments.putIfAbsent(e.sessionId(), "FINAL");
            }
        });
        ledger.payStation.values().forEach(p -> expectedPayments.put(p.sessionId(), "PAID"));
        long paymentsMatched = 0;
        long paidDuplicated = 0;
        Set<String> paidInPg = new HashSet<>();
        long deferredPaid = 0;
        long deferredUncollectable = 0;
        for (Map.Entry<String, String> e : expectedPayments.entrySet()) {
            List<PgPayment> ps = paymentsBySession.getOrDefault(e.getKey(), List.of());
            long paid = ps.stream().filter(p -> "PAID".equals(p.outcome())).count();
            boolean ok = "PAID".equals(e.getValue()) ? paid >= 1 : ps.stream().anyMatch(p -> p.outcome() != null);
            if (ok) {
                paymentsMatched++;
            }
            if (paid > 1) {
                paidDuplicated += paid - 1;
            }
            if (paid >= 1) {
                paidInPg.add(e.getKey());
            }
            if ("FINAL".equals(e.getValue())) {
                if (paid >= 1) {
                    deferredPaid++;
                } else if (ok) {
                    deferredUncollectable++;
                }
            }
        }
        rows.add(new Row("payments (PAID/DEFERRED exits, pay station)", expectedPayments.size(), paymentsMatched,
                expectedPayments.size() - paymentsMatched, paidDuplicated, 0));

        // Stripe: each session paid has exactly one successful PaymentIntent (one idempotency key).
        long stripeMatched = paidInPg.stream().filter(id -> !stripe.succeededKeysBySession().getOrDefault(id, Set.of()).isEmpty()).count();
        long doubleCharged = stripe.succeededKeysBySession().values().stream().filter(keys -> keys.size() > 1).count();
        rows.add(new Row("Stripe charges (sessions paid)", paidInPg.size(), stripeMatched,
                paidInPg.size() - stripeMatched, 0, doubleCharged));

        notes.add("Stripe: %d PaymentIntent creations, %d idempotent replays of a key, %d keys declined, %d keys charged"
                .formatted(stripe.posts(), stripe.replays(), stripe.declinedKeys().size(), stripe.succeededKeys().size()));
        notes.add("deferred exits settled later: %d PAID, %d DECLINED/FAILED (in the unable-to-collect ledger)"
                .formatted(deferredPaid, deferredUncollectable));
        long extra = sessions.keySet().stream().filter(id -> !ledger.entries.containsKey(id)).count();
        notes.add("not counted (the driver never got the answer: edge killed mid-request): %d entries, %d exits;"
                .formatted(ledger.ambiguousEntries.get(), ledger.ambiguousExits.get())
                + " sessions in PostgreSQL without an acknowledged entry: " + extra);
        return new CountingReport(List.copyOf(rows), List.copyOf(notes));
    }

    String table() {
        StringBuilder s = new StringBuilder();
        s.append("| record | expected | matched | missing | duplicated | double-charged |\n");
        s.append("|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            s.append("| %s | %d | %d | %d | %d | %d |%n".formatted(r.what(), r.expected(), r.matched(), r.missing(),
                    r.duplicated(), r.doubleCharged()));
        }
        for (String n : notes) {
            s.append("\n- ").append(n);
        }
        s.append("\n\nresult: ").append(clean() ? "CLEAN (no missing, duplicated or double-charged record)"
                : "FAILED (see non-zero missing / duplicated / double-charged)").append('\n');
        return s.toString();
    }
}
