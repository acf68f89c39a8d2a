package org.openparking.edge.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * {@code scripts/drive-car.sh}: drives one car through a running development edge over its HTTP and
 * simulator API, as a newcomer's first look at the product: the car arrives at the entry, takes a ticket,
 * passes the gate, parks, gets a quote, pays at the exit and leaves. Every step prints the ticket, the fee
 * and the lane's gate. Exit status 0 when the car is out, 1 when a step failed (the line says which).
 */
public final class DriveCar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);

    record Options(String url, String entryLane, String exitLane, String plate, Duration stay, String paymentMethod) {
        static final String USAGE = """
                usage: scripts/drive-car.sh [--url URL] [--plate PLATE] [--stay SECONDS] [--entry LANE] [--exit LANE]
                                            [--payment-method TOKEN]
                Drives one car through a development edge (scripts/run-edge.sh): entry, ticket, gate, parking,
                quote, payment at the exit, gate. Defaults: --url http://localhost:8080 --stay 5 --entry in-1
                --exit out-1 --payment-method pm_card_visa, a random DEMO plate.""";

        static Options parse(String... args) {
            String url = "http://localhost:8080";
            String entry = "in-1";
            String exit = "out-1";
            String plate = "DEMO" + ThreadLocalRandom.current().nextInt(1000, 10000);
            Duration stay = Duration.ofSeconds(5);
            String method = "pm_card_visa";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    throw new UsageException(null);
                }
                if (i + 1 >= args.length) {
                    throw new UsageException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--url" -> url = v.replaceAll("/+$", "");
                    case "--entry" -> entry = v;
                    case "--exit" -> exit = v;
                    case "--plate" -> plate = v;
                    case "--payment-method" -> method = v;
                    case "--stay" -> {
                        try {
                            stay = Duration.ofSeconds(Long.parseLong(v));
                        } catch (NumberFormatException e) {
                            throw new UsageException("--stay takes whole seconds, not " + v);
                        }
                    }
                    default -> throw new UsageException("unknown option " + a);
                }
            }
            return new Options(url, entry, exit, plate, stay, method);
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** A step that did not go as the product promises: printed as one line. */
    static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message);
        }
    }

    private final Options options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int step;

    DriveCar(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                System.err.println(e.getMessage());
            }
            (e.getMessage() == null ? System.out : System.err).println(Options.USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        try {
            new DriveCar(options, System.out).drive();
        } catch (StepFailed e) {
            System.err.println("drive-car: " + e.getMessage());
            System.exit(1);
        }
    }

    void drive() {
        String in = options.entryLane();
        String outLane = options.exitLane();
        clearLeftOpen(in);

        simulator("/lanes/" + in + "/arming", "{\"present\":true}");
        JsonNode lane = awaitLane(in, l -> l.path("vehicleWaiting").asBoolean(), "a car waiting");
        say("car " + options.plate() + " arrives at " + in, lane);

        JsonNode entry = call("POST", "/api/v1/lanes/" + in + "/entries",
                "{\"plate\":\"" + options.plate() + "\"}", 201, "the entry");
        String ticket = entry.path("ticket").asText();
        String session = entry.path("sessionId").asText();
        lane = awaitLane(in, l -> l.path("barrier").asText().equals("OPEN"), "the barrier open");
        say("ticket issued: " + ticket + " (session " + session + ")", lane);

        passThrough(in);
        lane = awaitLane(in, l -> l.path("phase").asText().equals("IDLE")
                && l.path("barrier").asText().equals("CLOSED"), "the car through and the barrier closed");
        say("car passes the entry gate", lane);

        out.printf("   %-39s ... parked for %d s%n", "", options.stay().toSeconds());
        sleep(options.stay());

        JsonNode quote = call("GET", "/api/v1/quote?ticket=" + ticket, null, 200, "the quote");
        say("quote: " + money(quote.path("due").asLong(), quote.path("currency").asText()) + " due (tariff v"
                + quote.path("tariffVersion").asText() + ")" + (quote.path("due").asLong() == 0
                ? ", inside the tariff's grace period: scripts/run-edge.sh --demo-tariff charges from the first minute"
                : ""), null);

        simulator("/lanes/" + outLane + "/arming", "{\"present\":true}");
        awaitLane(outLane, l -> l.path("vehicleWaiting").asBoolean(), "a car waiting at the exit");
        JsonNode exit = call("POST", "/api/v1/lanes/" + outLane + "/exits",
                "{\"ticket\":\"" + ticket + "\",\"paymentMethod\":\"" + options.paymentMethod() + "\"}", -1, "the exit");
        String payment = exit.path("payment").path("status").asText();
        String fee = money(exit.path("fee").path("amount").asLong(), exit.path("fee").path("currency").asText());
        if (!exit.path("gate").asText().equals("OPEN") && !exit.path("gate").asText().equals("OPENING")) {
            throw new StepFailed("the exit gate stays " + exit.path("gate").asText() + ": fee " + fee + ", payment "
                    + payment + (exit.hasNonNull("message") ? " (" + exit.path("message").asText() + ")" : ""));
        }
        lane = awaitLane(outLane, l -> l.path("barrier").asText().equals("OPEN"), "the exit barrier open");
        say("car at " + outLane + " pays " + fee + " with " + options.paymentMethod() + ": payment " + payment
                + explain(payment), lane);

        passThrough(outLane);
        lane = awaitLane(outLane, l -> l.path("phase").asText().equals("IDLE")
                && l.path("barrier").asText().equals("CLOSED"), "the car out and the barrier closed");
        say("car passes the exit gate", lane);
        JsonNode closed = call("GET", "/api/v1/sessions/" + session, null, 200, "the session");
        out.printf("done: session %s %s, fee %s, payment %s%n", session, closed.path("status").asText(), fee, payment);
    }

    /** A lane left at GATE_OPEN by an earlier entry (the README's curl) would answer 409 LANE_BUSY: drive it through. */
    private void clearLeftOpen(String laneId) {
        JsonNode lane = lane(laneId);
        String phase = lane.path("phase").asText();
        if (phase.equals("GATE_OPEN") || phase.equals("VEHICLE_PASSING")) {
            out.println("    lane " + laneId + " is still open for an earlier car: driving that car through first");
            passThrough(laneId);
            awaitLane(laneId, l -> l.path("phase").asText().equals("IDLE") || l.path("phase").asText()
                    .equals("VEHICLE_WAITING"), "the earlier car through");
        }
    }

    /** The car leaves the arming loop, crosses the safety loop under the barrier, and is gone. */
    private void passThrough(String laneId) {
        simulator("/lanes/" + laneId + "/safety", "{\"present\":true}");
        awaitLane(laneId, l -> l.path("vehiclePassing").asBoolean(), "the car on the safety loop");
        simulator("/lanes/" + laneId + "/arming", "{\"present\":false}");
        simulator("/lanes/" + laneId + "/safety", "{\"present\":false}");
    }

    private static String explain(String payment) {
        return switch (payment) {
            case "DEFERRED" -> " (no payment link: the charge waits in the outbox for the cloud)";
            case "NOT_REQUIRED" -> " (nothing to pay)";
            default -> "";
        };
    }

    private void say(String what, JsonNode lane) {
        step++;
        String gate = lane == null ? "" : lane.path("laneId").asText() + ": " + lane.path("phase").asText()
                + ", barrier " + lane.path("barrier").asText();
        out.printf("%d. %-39s %s%n", step, gate, what);
    }

    private JsonNode lane(String laneId) {
        for (JsonNode l : call("GET", "/api/v1/lanes", null, 200, "the lanes")) {
            if (l.path("laneId").asText().equals(laneId)) {
                return l;
            }
        }
        throw new StepFailed("the edge has no lane " + laneId + " (see GET " + options.url() + "/api/v1/lanes)");
    }

    private JsonNode awaitLane(String laneId, Predicate<JsonNode> until, String what) {
        Instant deadline = Instant.now().plus(STEP_TIMEOUT);
        JsonNode lane = lane(laneId);
        while (!until.test(lane)) {
            if (Instant.now().isAfter(deadline)) {
                throw new StepFailed("waited " + STEP_TIMEOUT.toSeconds() + " s for " + what + " on lane " + laneId
                        + ", it is " + lane);
            }
            sleep(Duration.ofMillis(50));
            lane = lane(laneId);
        }
        return lane;
    }

    private void simulator(String path, String body) {
        call("POST", "/api/v1/simulator" + path, body, 202, "the simulator (" + path + ")");
    }

    /** One request; {@code expected} -1 accepts any 2xx. An error answer becomes one line with its code. */
    private JsonNode call(String method, String path, String body, int expected, String what) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(options.url() + path)).timeout(STEP_TIMEOUT);
        if (body == null) {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            req.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new StepFailed("no edge answers at " + options.url() + ": start one with scripts/run-edge.sh");
        } catch (IOException e) {
            throw new StepFailed(what + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed(what + " interrupted");
        }
        boolean ok = expected == -1 ? res.statusCode() / 100 == 2 : res.statusCode() == expected;
        if (!ok) {
            String hint = res.statusCode() == 404 && path.startsWith("/api/v1/simulator")
                    ? ": the simulator API is served on development rigs only (scripts/run-edge.sh)" : "";
            throw new StepFailed(what + " answered " + res.statusCode() + " " + res.body() + hint);
        }
        try {
            return JSON.readTree(res.body());
        } catch (IOException e) {
            throw new StepFailed(what + " answered " + res.statusCode() + " with a body that is not JSON: " + res.body());
        }
    }

    static String money(long minor, String currency) {
        return String.format(Locale.ROOT, "%d.%02d %s", minor / 100, minor % 100, currency);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed("interrupted");
        }
    }
}
