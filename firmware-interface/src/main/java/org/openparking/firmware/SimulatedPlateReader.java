package org.openparking.firmware;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A plate reader that fails the way real ones do, with configurable rates (each 0..1):
 * <ul>
 *   <li>{@code confusion}: one of 0/O, 1/I, 8/B swapped; still reported confidently (0.90-0.97),</li>
 *   <li>{@code missedCharacter}: one character dropped, still reported at 0.75-0.85,</li>
 *   <li>{@code wrongVehicle}: the plate of another vehicle (a parked car beside the lane) at 0.88-0.95,</li>
 *   <li>{@code noRead}: a vehicle seen, no plate read (confidence 0).</li>
 * </ul>
 * A clean read scores 0.92-0.99. The seed makes a run repeatable.
 */
public final class SimulatedPlateReader implements PlateReader {
    /** Error rates of the simulated reader. */
    public record Errors(double confusion, double missedCharacter, double wrongVehicle, double noRead) {
        public static final Errors NONE = new Errors(0, 0, 0, 0);

        public Errors {
            for (double r : new double[] {confusion, missedCharacter, wrongVehicle, noRead}) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("error rates must be within 0..1");
                }
            }
            if (confusion + missedCharacter + wrongVehicle + noRead > 1) {
                throw new IllegalArgumentException("error rates must add up to at most 1");
            }
        }
    }

    /** What kind of read {@link #vehicleAt} produced: the simulator counts them. */
    public enum Outcome { CLEAN, CONFUSED, MISSED_CHARACTER, WRONG_VEHICLE, NO_READ, NO_VEHICLE }

    /** A read and how it was made. */
    public record Produced(PlateRead read, Outcome outcome) {
    }

    private final String laneId;
    private final double threshold;
    private final Errors errors;
    private final Random random;
    private final Clock clock;
    private final java.util.function.Supplier<List<String>> bystanders;
    private final List<Consumer<PlateRead>> listeners = new CopyOnWriteArrayList<>();

    /** @param bystanders plates of vehicles parked near the camera, read instead of the moving one by mistake */
    public SimulatedPlateReader(String laneId, double threshold, Errors errors, long seed, Clock clock,
                                List<String> bystanders) {
        this(laneId, threshold, errors, seed, clock, fixed(bystanders));
    }

    /** @param bystanders asked at each read: e.g. the plates of the cars parked inside right now */
    public SimulatedPlateReader(String laneId, double threshold, Errors errors, long seed, Clock clock,
                                java.util.function.Supplier<List<String>> bystanders) {
        this.laneId = Objects.requireNonNull(laneId, "laneId");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be within 0..1, was " + threshold);
        }
        this.threshold = threshold;
        this.errors = Objects.requireNonNull(errors, "errors");
        this.random = new Random(seed);
        this.clock = clock;
        this.bystanders = Objects.requireNonNull(bystanders, "bystanders");
    }

    private static java.util.function.Supplier<List<String>> fixed(List<String> plates) {
        List<String> copy = List.copyOf(plates);
        return () -> copy;
    }

    @Override
    public String laneId() {
        return laneId;
    }

    @Override
    public void onRead(Consumer<PlateRead> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** A vehicle with {@code plate} stops at the camera: one read, with errors at the configured rates. */
    public synchronized Produced vehicleAt(String plate) {
        Objects.requireNonNull(plate, "plate");
        double r = random.nextDouble();
        Produced p;
        if ((r -= errors.confusion()) < 0 && confusable(plate) >= 0) {
            p = read(confuse(plate), between(0.90, 0.97), Outcome.CONFUSED);
        } else if ((r -= errors.missedCharacter()) < 0 && plate.length() > 1) {
            int i = random.nextInt(plate.length());
            p = read(plate.substring(0, i) + plate.substring(i + 1), between(0.75, 0.85), Outcome.MISSED_CHARACTER);
        } else if ((r -= errors.wrongVehicle()) < 0 && !bystanders.get().isEmpty()) {
            List<String> near = bystanders.get();
            p = read(near.get(random.nextInt(near.size())), between(0.88, 0.95), Outcome.WRONG_VEHICLE);
        } else if ((r -= errors.noRead()) < 0) {
            p = read(null, 0, Outcome.NO_READ);
        } else {
            p = read(plate, between(0.92, 0.99), Outcome.CLEAN);
        }
        deliver(p.read());
        return p;
    }

    /** Something tripped the loop with no vehicle there (a pedestrian, a trolley): the camera says so. */
    public synchronized Produced nothingThere() {
        Produced p = new Produced(new PlateRead(laneId, null, 0, threshold, clock.instant(), false, "simulated"),
                Outcome.NO_VEHICLE);
        deliver(p.read());
        return p;
    }

    /** Delivers exactly this read (tests and scripted scenarios). */
    public void push(String plate, double confidence) {
        deliver(new PlateRead(laneId, plate, confidence, threshold, clock.instant(), true, "simulated"));
    }

    private Produced read(String plate, double confidence, Outcome outcome) {
        return new Produced(new PlateRead(laneId, plate, confidence, threshold, clock.instant(), true, "simulated"),
                outcome);
    }

    private void deliver(PlateRead read) {
        for (Consumer<PlateRead> l : listeners) {
            l.accept(read);
        }
    }

    private double between(double low, double high) {
        return Math.round((low + random.nextDouble() * (high - low)) * 1000) / 1000.0;
    }

    private static int confusable(String plate) {
        for (int i = 0; i < plate.length(); i++) {
            if ("0O1I8B".indexOf(Character.toUpperCase(plate.charAt(i))) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private String confuse(String plate) {
        int i = confusable(plate);
        char c = Character.toUpperCase(plate.charAt(i));
        char swapped = switch (c) {
            case '0' -> 'O';
            case 'O' -> '0';
            case '1' -> 'I';
            case 'I' -> '1';
            case '8' -> 'B';
            default -> '8';
        };
        return plate.substring(0, i) + swapped + plate.substring(i + 1);
    }
}
