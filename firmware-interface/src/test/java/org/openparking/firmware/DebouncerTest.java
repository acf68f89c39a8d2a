package org.openparking.firmware;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

class DebouncerTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    private final ManualScheduler clock = new ManualScheduler();
    private final Debouncer input = new Debouncer(false, DEBOUNCE, clock);
    private final List<Boolean> reported = new CopyOnWriteArrayList<>();

    {
        input.onChange(reported::add);
    }

    @Test
    void aChangeIsReportedOnlyOnceItHeldForTheDebounceTime() {
        input.input(true);
        clock.advance(Duration.ofMillis(99));
        assertThat(input.value(), is(false));
        assertThat(reported, empty());

        clock.advance(Duration.ofMillis(1));
        assertThat(input.value(), is(true));
        assertThat(reported, contains(true));
    }

    @Test
    void aGlitchShorterThanTheDebounceTimeIsNeverReported() {
        input.input(true);
        clock.advance(Duration.ofMillis(60));
        input.input(false);
        clock.advance(Duration.ofSeconds(1));
        assertThat(input.value(), is(false));
        assertThat(reported, empty());
    }

    @Test
    void bouncingRestartsTheDebounceTime() {
        input.input(true);
        clock.advance(Duration.ofMillis(80));
        input.input(false);
        clock.advance(Duration.ofMillis(10));
        input.input(true);
        clock.advance(Duration.ofMillis(99));
        assertThat(reported, empty());
        clock.advance(Duration.ofMillis(1));
        assertThat(reported, contains(true));
    }

    @Test
    void aShortDropOfAStableValueIsNotReportedEither() {
        input.input(true);
        clock.advance(DEBOUNCE);
        input.input(false);
        clock.advance(Duration.ofMillis(30));
        input.input(true);
        clock.advance(Duration.ofSeconds(1));
        assertThat(input.value(), is(true));
        assertThat(reported, contains(true));
    }

    @Test
    void repeatingTheSameRawValueDoesNotRestartTheTime() {
        input.input(true);
        clock.advance(Duration.ofMillis(60));
        input.input(true);
        clock.advance(Duration.ofMillis(40));
        assertThat(reported, contains(true));
    }

    @Test
    void zeroDebounceReportsImmediately() {
        Debouncer immediate = new Debouncer(false, Duration.ZERO, clock);
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        immediate.onChange(seen::add);
        immediate.input(true);
        immediate.input(false);
        assertThat(seen, contains(true, false));
        assertThat(immediate.value(), is(false));
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        Debouncer immediate = new Debouncer(false, Duration.ZERO, clock);
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        immediate.onChange(v -> {
            throw new IllegalStateException("boom");
        });
        immediate.onChange(seen::add);
        immediate.input(true);
        assertThat(seen, contains(true));
    }
}
