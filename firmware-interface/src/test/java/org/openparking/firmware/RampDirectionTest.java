package org.openparking.firmware;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.openparking.firmware.RampDetector.Loop.INNER;
import static org.openparking.firmware.RampDetector.Loop.OUTER;
import static org.openparking.firmware.RampDetector.Passage.IN;
import static org.openparking.firmware.RampDetector.Passage.OUT;
import static org.openparking.firmware.RampDetector.Passage.TURNED_BACK;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The direction logic of a ramp's two loops, on virtual time. */
class RampDirectionTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(50);

    private final ManualScheduler clock = new ManualScheduler();
    private final Debouncer outer = new Debouncer(false, DEBOUNCE, clock);
    private final Debouncer inner = new Debouncer(false, DEBOUNCE, clock);
    private final List<RampDetector.Passage> reported = new ArrayList<>();

    private RampDirection ramp(Duration gap) {
        RampDirection ramp = new RampDirection("R1", outer, inner, gap, clock);
        ramp.onPassage(reported::add);
        return ramp;
    }

    private void step(Debouncer loop, boolean present) {
        loop.input(present);
        clock.advance(DEBOUNCE.multipliedBy(2));
    }

    @Test
    void outerThenInnerClearingInnerLastDroveOntoTheLevel() {
        RampDirection ramp = ramp(Duration.ZERO);
        step(outer, true);
        step(inner, true);
        step(outer, false);
        assertThat("nothing while the car is on a loop", reported, empty());
        assertThat(ramp.occupied(), is(true));
        step(inner, false);
        assertThat(reported, contains(IN));
        assertThat(ramp.occupied(), is(false));
    }

    @Test
    void innerThenOuterDroveOff() {
        ramp(Duration.ZERO);
        step(inner, true);
        step(outer, true);
        step(inner, false);
        step(outer, false);
        assertThat(reported, contains(OUT));
    }

    @Test
    void aCarThatReachesBothLoopsAndBacksOutMovedNothing() {
        ramp(Duration.ZERO);
        step(outer, true);
        step(inner, true);
        step(inner, false);
        step(outer, false);
        assertThat(reported, contains(TURNED_BACK));
    }

    @Test
    void aCarSeenOnOneLoopOnlyTurnedBack() {
        ramp(Duration.ZERO);
        step(inner, true);
        step(inner, false);
        assertThat(reported, contains(TURNED_BACK));
    }

    @Test
    void aGlitchShorterThanTheDebounceIsNoCar() {
        ramp(Duration.ZERO);
        outer.input(true);
        clock.advance(DEBOUNCE.dividedBy(2));
        outer.input(false);
        inner.input(true);
        clock.advance(DEBOUNCE.dividedBy(2));
        inner.input(false);
        clock.advance(Duration.ofSeconds(1));
        assertThat(reported, empty());
    }

    @Test
    void withAGapTheCarMayClearOneLoopBeforeReachingTheOther() {
        ramp(Duration.ofSeconds(2));
        step(outer, true);
        step(outer, false);
        clock.advance(Duration.ofSeconds(1));
        assertThat("still waiting for the inner loop", reported, empty());
        step(inner, true);
        step(inner, false);
        assertThat(reported, contains(IN));

        step(inner, true);
        step(inner, false);
        clock.advance(Duration.ofSeconds(2));
        assertThat("no outer loop within the gap: turned back", reported, contains(IN, TURNED_BACK));
    }

    @Test
    void aCarOnTheLoopsAtStartUpIsNotCountedButTheNextOneIs() {
        outer.input(true);
        inner.input(true);
        clock.advance(DEBOUNCE.multipliedBy(2));
        ramp(Duration.ZERO);
        step(outer, false);
        step(inner, false);
        assertThat(reported, empty());
        step(inner, true);
        step(outer, true);
        step(inner, false);
        step(outer, false);
        assertThat(reported, contains(OUT));
    }

    @Test
    void twoCarsBumperToBumperCountAsOneTheKnownLimitOfTwoLoops() {
        ramp(Duration.ZERO);
        step(outer, true);
        step(inner, true);
        step(outer, false);
        step(outer, true); // the second car reaches the outer loop while the first is still on the inner one
        step(inner, false);
        step(inner, true);
        step(outer, false);
        step(inner, false);
        assertThat(reported, contains(IN));
    }

    /** A car played over the loops; {@code hold} is how long each step lasts, always past the debounce. */
    record Car(RampDetector.Passage passage, int holdMillis, boolean glitch) {
    }

    @Provide
    Arbitrary<List<Car>> cars() {
        return Combinators.combine(Arbitraries.of(IN, OUT, TURNED_BACK),
                        Arbitraries.integers().between((int) DEBOUNCE.toMillis() + 1, 400), Arbitraries.of(true, false))
                .as(Car::new).list().ofMaxSize(30);
    }

    @Property(tries = 200)
    void everyPassageIsReportedOnceWithItsDirectionWhateverTheTimingAndGlitches(@ForAll("cars") List<Car> cars) {
        // jqwik shares the instance between tries: everything this try plays on is its own
        ManualScheduler clock = new ManualScheduler();
        Debouncer outer = new Debouncer(false, DEBOUNCE, clock);
        Debouncer inner = new Debouncer(false, DEBOUNCE, clock);
        List<RampDetector.Passage> reported = new ArrayList<>();
        new RampDirection("R1", outer, inner, Duration.ZERO, clock).onPassage(reported::add);
        for (Car car : cars) {
            Debouncer from = car.passage() == OUT ? inner : outer;
            Debouncer to = from == outer ? inner : outer;
            Debouncer clearsFirst = car.passage() == TURNED_BACK ? to : from;
            Debouncer clearsLast = clearsFirst == from ? to : from;
            Duration hold = Duration.ofMillis(car.holdMillis());
            if (car.glitch()) {
                // a flicker on the far loop before the car arrives: shorter than the debounce
                to.input(true);
                clock.advance(DEBOUNCE.dividedBy(3));
                to.input(false);
                clock.advance(DEBOUNCE.multipliedBy(2));
            }
            for (Runnable s : List.<Runnable>of(() -> from.input(true), () -> to.input(true),
                    () -> clearsFirst.input(false), () -> clearsLast.input(false))) {
                s.run();
                clock.advance(hold);
            }
        }
        assertThat(reported, equalTo(cars.stream().map(Car::passage).toList()));
    }
}
