package org.openparking.simulator;

import java.time.Duration;
import java.util.List;

/**
 * The garage simulator command ({@code scripts/simulate.sh}): starts a whole lot on this machine and
 * drives a compressed day of traffic through it, with a progress line every few seconds and a
 * summary at the end. Every child process is stopped on the way out, also on Ctrl-C.
 */
public final class GarageSimulator {
    static final String USAGE = """
            options (all optional):
              --duration 2m        run length the day is compressed into (90s, 2m, PT5M)
              --cars 500           cars arriving over the day
              --levels 3           edge levels (one edge controller process each)
              --occupancy mixed    sensors | counting | mixed (alternating per level)
              --spots 60           spots (sensor levels) or capacity (counting levels) per level
              --entry-lanes 2 --exit-lanes 2
              --workers 2          payment worker processes
              --declines 0.1       share of cars whose first card is declined
              --drive-offs 0.02    share of cars leaving without a ticket (operator opens the lane)
              --moves 0.2          share of cars moving to another spot while parked
              --curve w0,...,w23   arrival weight per hour of the day
              --floor-limit 1500   edge payments.floor-limit (cents)
              --ramp-share 0       share of cars that drive up a ramp to the level above and back down
                                   before leaving (needs --occupancy counting; levels get ramp counters)
              --seed 42
              customers (issue 19; shares of --cars, together at most 1; docs/simulator.md "Customers"):
              --permits 0          permit holders by plate in one pool (about one in seven suspended)
              --validated 0        shoppers whose ticket a merchant validates at the edge (50 % off)
              --coupons 0          drivers with a coupon (20 % off; every other one holds a single-use one)
              --reserved 0         pre-booked cars by plate (every other one prepaid: leaves free)
              --ticketless 0       pay-by-plate drivers: in on the entry camera read, out by plate
              --plate-errors 0.3   share of camera reads that go wrong (confusions, missed
                                   characters, a parked car's plate, no read)
            """;

    private GarageSimulator() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println("scripts/simulate.sh [options]\n" + USAGE);
            return;
        }
        Cli cli = new Cli(args, Cli.TRAFFIC);
        Lot.Options lotOptions = Cli.lot(cli, 1500, Duration.ofSeconds(3));
        Traffic.Options trafficOptions = Cli.traffic(cli, Duration.ofMinutes(2), 500);
        Ledger ledger = new Ledger();
        boolean countsMatch = true;
        try (Lot lot = startLot(lotOptions)) {
            Traffic traffic = new Traffic(lot, trafficOptions, ledger);
            System.out.printf("driving %d cars over %ss%n", trafficOptions.cars(), trafficOptions.duration().toSeconds());
            traffic.run(Duration.ofSeconds(60), () -> System.out.println(traffic.progressLine()));
            System.out.println();
            System.out.println(summary(lot, ledger));
            if (trafficOptions.customers().any()) {
                CustomersReport customers = CustomersReport.of(ledger);
                System.out.println("customers: fees and refusals by reason\n" + customers.table());
                countsMatch = customers.clean();
            }
            if (traffic.inside() == 0) {
                LevelCounts counts = LevelCounts.read(lot);
                System.out.println("level counts after the day\n" + counts.describe());
                countsMatch = countsMatch && counts.allMatch();
            }
        }
        if (!countsMatch) {
            System.exit(1);
        }
    }

    /** Starts the lot, with a shutdown hook that stops it if the JVM is stopped first. */
    static Lot startLot(Lot.Options options) throws Exception {
        return startLot(options, false);
    }

    /** As {@link #startLot(Lot.Options)}, on a private RabbitMQ node and PostgreSQL cluster when asked. */
    static Lot startLot(Lot.Options options, boolean privateServices) throws Exception {
        return startLot(options, privateServices, 1);
    }

    /** As {@link #startLot(Lot.Options, boolean)}, the private broker a cluster of {@code brokerNodes} above 1. */
    static Lot startLot(Lot.Options options, boolean privateServices, int brokerNodes) throws Exception {
        long t0 = System.nanoTime();
        System.out.printf("starting a lot: %d levels (%s), %d payment workers, cloud-sync, Stripe stub%s...%n",
                options.levels(), options.occupancy(), options.workers(),
                !privateServices ? "" : brokerNodes > 1
                        ? ", private " + brokerNodes + "-node RabbitMQ cluster and PostgreSQL cluster"
                        : ", private RabbitMQ node and PostgreSQL cluster");
        Lot lot = Lot.start(options, Lot.repositoryRoot(), privateServices, brokerNodes);
        Runtime.getRuntime().addShutdownHook(new Thread(lot::close, "lot-shutdown"));
        System.out.printf("lot up in %.1fs (vhost %s, logs in %s)%n", (System.nanoTime() - t0) / 1e9, lot.vhost(), lot.workDir());
        for (Lot.Edge e : lot.edges()) {
            System.out.printf("  edge %s (%s) %s%n", e.levelId(), e.occupancy(), e.process().baseUrl());
        }
        System.out.printf("  cloud-sync %s%n", lot.cloudSync().baseUrl());
        return lot;
    }

    static String summary(Lot lot, Ledger ledger) {
        StringBuilder s = new StringBuilder("summary\n");
        long outs = ledger.exits.size() + ledger.driveOffs.get() + ledger.ambiguousExits.get();
        s.append("  cars in             %d (turned away: %d, entries with a lost answer: %d)%n"
                .formatted(ledger.entries.size() + ledger.ambiguousEntries.get(), ledger.turnedAway.get(),
                        ledger.ambiguousEntries.get()));
        s.append("  cars out            %d (paid exits %d, not required %d, deferred %d, after the pay station %d, drive-offs %d, exits with a lost answer %d)%n"
                .formatted(outs, ledger.exitsWith("PAID"), ledger.exitsWith("NOT_REQUIRED"), ledger.exitsWith("DEFERRED"),
                        ledger.payStation.size(), ledger.driveOffs.get(), ledger.ambiguousExits.get()));
        s.append("  revenue             %.2f EUR collected, %.2f EUR deferred%n"
                .formatted(ledger.revenue.get() / 100.0, ledger.deferredAmount.get() / 100.0));
        s.append("  declines            %d (each driver then paid with another card)%n".formatted(ledger.declines.get()));
        s.append("  deferred            %d%n".formatted(ledger.exitsWith("DEFERRED")));
        s.append("  spot moves          %d%n".formatted(ledger.spotMoves.get()));
        if (ledger.rampTrips.get() > 0) {
            s.append("  ramp trips          %d (up to the level above and back down)%n".formatted(ledger.rampTrips.get()));
        }
        s.append("  lost tickets        %d (left by plate, billed at least the lost-ticket fee)%n"
                .formatted(ledger.lostTickets.get()));
        s.append("  retries / errors    %d / %d%n".formatted(ledger.retries.get(), ledger.errors.get()));
        s.append("  max occupancy       ");
        for (Lot.Edge e : lot.edges()) {
            s.append("%s %d/%d  ".formatted(e.levelId(), ledger.maxOccupancy(e.levelId()),
                    ledger.capacity.getOrDefault(e.levelId(), 0L)));
        }
        return s.append('\n').toString();
    }
}
