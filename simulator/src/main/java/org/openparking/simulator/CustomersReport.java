package org.openparking.simulator;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The customers' part of the chaos report (issue 19): fees by customer kind, every refusal by its named reason and
 * who was refused, and the checks that fail a run: a permit holder whose rules let them in refused (offline or not),
 * a validated exit that did not pay less, line items that do not add up to the fee.
 */
record CustomersReport(Map<String, Long> feesByKind, Map<String, Long> exitsByKind,
                       Map<String, Map<String, Long>> refusals, Map<String, Long> plateReads,
                       List<String> permitRefusals, long permitRefusalsOffline, long permitEntries,
                       long permitEntriesOffline, long reservedEntries, long validatedExits, long validatedPaidLess,
                       long validatedBefore, long validatedAfter, long couponsApplied, long ticketlessExits,
                       long lineItemMismatches) {

    static CustomersReport of(Ledger l) {
        Map<String, Map<String, Long>> refusals = new TreeMap<>();
        l.refusals.forEach((reason, byKind) -> refusals.put(reason, longs(byKind)));
        return new CustomersReport(longs(l.feesByKind), longs(l.exitsByKind), refusals, longs(l.plateReads),
                List.copyOf(l.permitRefusals), l.permitRefusalsOffline.get(), l.permitEntries.get(),
                l.permitEntriesOffline.get(), l.reservedEntries.get(), l.validatedExits.get(), l.validatedPaidLess.get(),
                l.validatedBefore.get(), l.validatedAfter.get(), l.couponsApplied.get(), l.ticketlessExits.get(),
                l.lineItemMismatches.get());
    }

    private static Map<String, Long> longs(Map<String, AtomicLong> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Refusals of one reason, over every kind of customer. */
    long refused(String reason) {
        return refusals.getOrDefault(reason, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    boolean clean() {
        return permitRefusals.isEmpty() && validatedPaidLess == validatedExits && lineItemMismatches == 0;
    }

    String table() {
        StringBuilder s = new StringBuilder();
        s.append("| customer | exits | fees (EUR, paid or deferred) |\n|---|---:|---:|\n");
        feesByKind.forEach((kind, fee) -> s.append("| %s | %d | %.2f |%n".formatted(kind,
                exitsByKind.getOrDefault(kind, 0L), fee / 100.0)));
        s.append("\n| refusal (named reason) | count | refused |\n|---|---:|---|\n");
        if (refusals.isEmpty()) {
            s.append("| (none) | 0 | |\n");
        }
        refusals.forEach((reason, byKind) -> s.append("| %s | %d | %s |%n".formatted(reason,
                byKind.values().stream().mapToLong(Long::longValue).sum(), byKind)));
        s.append("\n- permit holders admitted: %d, of them %d while their level had no cloud link".formatted(
                permitEntries, permitEntriesOffline));
        s.append("\n- permit holders refused although their rules let them in: %d (%d offline)%s".formatted(
                permitRefusals.size(), permitRefusalsOffline, permitRefusals.isEmpty() ? "" : " " + permitRefusals));
        s.append("\n- pre-booked cars admitted by plate: %d".formatted(reservedEntries));
        s.append("\n- validated shoppers: %d exits, %d paid less (%.2f EUR before the validations, %.2f EUR after)"
                .formatted(validatedExits, validatedPaidLess, validatedBefore / 100.0, validatedAfter / 100.0));
        s.append("\n- coupons applied: %d; ticketless exits (pay by plate): %d".formatted(couponsApplied, ticketlessExits));
        s.append("\n- camera reads (entry and exit, by outcome): %s".formatted(plateReads));
        s.append("\n- exits whose line items do not add up to the fee: %d".formatted(lineItemMismatches));
        s.append("\n\ncustomers: ").append(clean() ? "CLEAN (no permit holder refused, every validation took something off)"
                : "FAILED (see above)").append('\n');
        return s.toString();
    }
}
