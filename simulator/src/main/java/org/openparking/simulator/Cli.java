package org.openparking.simulator;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options shared by the simulator and the chaos suite. */
final class Cli {
    private final Map<String, String> values = new HashMap<>();

    Cli(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got " + a + " (try --help)");
            }
            String name = a.substring(2);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + known);
            }
            values.put(name, args[++i]);
        }
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }

    double share(String name, double fallback) {
        double v = values.containsKey(name) ? Double.parseDouble(values.get(name)) : fallback;
        if (v < 0 || v > 1) {
            throw new IllegalArgumentException("--" + name + " is a share between 0 and 1, was " + v);
        }
        return v;
    }

    /** 90s, 2m, 1h, or an ISO-8601 duration. */
    Duration duration(String name, Duration fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v.matches("\\d+[smh]")) {
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        return Duration.parse(v);
    }

    double[] curve(String name, double[] fallback) {
        String v = values.get(name);
        return v == null ? fallback : Arrays.stream(v.split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
    }

    static final Set<String> TRAFFIC = Set.of("duration", "cars", "levels", "occupancy", "workers", "spots",
            "entry-lanes", "exit-lanes", "declines", "drive-offs", "moves", "curve", "seed", "floor-limit",
            "ramp-share", "permits", "validated", "coupons", "reserved", "ticketless", "plate-errors");

    static Lot.Options lot(Cli cli, long defaultFloor, Duration wait) {
        return new Lot.Options(cli.integer("levels", 3), cli.string("occupancy", "mixed"), cli.integer("workers", 2),
                cli.integer("spots", 60), cli.integer("entry-lanes", 2), cli.integer("exit-lanes", 2),
                cli.integer("floor-limit", (int) defaultFloor), wait, cli.share("ramp-share", 0) > 0);
    }

    static Traffic.Options traffic(Cli cli, Duration defaultDuration, int defaultCars) {
        return new Traffic.Options(cli.duration("duration", defaultDuration), cli.integer("cars", defaultCars),
                cli.curve("curve", Traffic.DEFAULT_CURVE), cli.share("declines", 0.1), cli.share("drive-offs", 0.02),
                cli.share("moves", 0.2), cli.integer("seed", 42), cli.share("ramp-share", 0),
                new Customers.Options(cli.share("permits", 0), cli.share("validated", 0), cli.share("coupons", 0),
                        cli.share("reserved", 0), cli.share("ticketless", 0), cli.share("plate-errors", 0.3)));
    }
}
