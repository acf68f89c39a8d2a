package org.openparking.firmware;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.Plates;

class PlateReaderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    /** Plate Recognizer Stream's webhook body, as in its "Webhooks and Outputs" guide (two results). */
    private static final String STREAM_WEBHOOK = """
            {"hook": {"target": "http://edge/api/v1/lanes/out-1/plate-reads", "id": "camera-1",
                      "event": "recognition", "filename": "camera-1_screenshots/21-09-29/05-56-13.606935.jpg"},
             "data": {"camera_id": "camera-1", "filename": "camera-1_screenshots/21-09-29/05-56-13.606935.jpg",
                      "timestamp": "2021-09-29T05:56:13.606935Z",
                      "timestamp_local": "2021-09-29 05:56:13.606935+00:00",
                      "results": [
                        {"box": {"xmin": 460, "ymin": 57, "xmax": 557, "ymax": 82}, "plate": "9jub11",
                         "region": {"code": "gb", "score": 0.413}, "score": 0.839,
                         "candidates": [{"plate": "9jub11"}, {"plate": "sju88y"}], "dscore": 0.441,
                         "vehicle": {"score": 0.267, "type": "Big Truck",
                                     "box": {"xmin": 387, "ymin": 23, "xmax": 1493, "ymax": 577}},
                         "direction": "", "source_url": "/user-data/Indoor.mp4", "position_sec": 4},
                        {"plate": "ab12cd", "score": 0.951, "vehicle": {"score": 0.9, "type": "Sedan"}}]}}""";

    @Test
    void theWebhookAdapterTakesTheBestResultWithItsScoreAndTheReadersThreshold() {
        PlateRecognizerPush camera = new PlateRecognizerPush("out-1", 0.9, CLOCK);
        List<PlateRead> seen = new ArrayList<>();
        camera.onRead(seen::add);

        PlateRead read = camera.accept(STREAM_WEBHOOK.getBytes(StandardCharsets.UTF_8));

        assertThat(seen, is(List.of(read)));
        assertThat(read.plate(), is("ab12cd"));
        assertThat(Plates.normalize(read.plate()), is("AB12CD"));
        assertThat(read.confidence(), closeTo(0.951, 1e-9));
        assertThat(read.threshold(), closeTo(0.9, 1e-9));
        assertThat(read.confident(), is(true));
        assertThat(read.vehiclePresent(), is(true));
        assertThat(read.at(), is(Instant.parse("2021-09-29T05:56:13.606935Z")));
        assertThat(read.source(), is("platerecognizer:camera-1"));
    }

    @Test
    void aReadBelowTheThresholdIsNotConfidentAndNoResultsIsNoVehicle() {
        PlateRead low = PlateRecognizerPush.parse("out-1", 0.9, """
                {"data": {"camera_id": "c", "results": [{"plate": "ab12c", "score": 0.81}]}}""".getBytes(), CLOCK.instant());
        assertThat(low.confident(), is(false));
        assertThat(low.vehiclePresent(), nullValue());
        assertThat(low.at(), is(CLOCK.instant()));
        PlateRead none = PlateRecognizerPush.parse("out-1", 0.9, """
                {"data": {"camera_id": "c", "results": []}}""".getBytes(), CLOCK.instant());
        assertThat(none.noVehicle(), is(true));
        assertThat(none.plate(), nullValue());
    }

    @Test
    void aBodyOfAnotherFormatIsRefusedByNameAndDeliversNothing() {
        PlateRecognizerPush camera = new PlateRecognizerPush("out-1", 0.9, CLOCK);
        List<PlateRead> seen = new ArrayList<>();
        camera.onRead(seen::add);
        for (String bad : List.of("{", "[]", "{\"plate\":\"AB1\"}", "{\"data\":{\"results\":{}}}",
                "{\"data\":{\"results\":[{\"plate\":\"AB1\"}]}}",
                "{\"data\":{\"results\":[{\"plate\":\"AB1\",\"score\":7}]}}",
                "{\"data\":{\"timestamp\":\"yesterday\",\"results\":[]}}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> camera.accept(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertThat(bad, e.getMessage(), not(containsString("Exception")));
        }
        assertThat(seen, is(List.of()));
    }

    @Test
    void theSimulatedReaderFailsAtTheConfiguredRatesInTheKnownWays() {
        SimulatedPlateReader reader = new SimulatedPlateReader("out-1", 0.9,
                new SimulatedPlateReader.Errors(0.2, 0.2, 0.1, 0.1), 42, CLOCK, List.of("PARK-99"));
        Map<SimulatedPlateReader.Outcome, Integer> counts = new EnumMap<>(SimulatedPlateReader.Outcome.class);
        int n = 2000;
        for (int i = 0; i < n; i++) {
            SimulatedPlateReader.Produced p = reader.vehicleAt("AB-108");
            counts.merge(p.outcome(), 1, Integer::sum);
            PlateRead r = p.read();
            switch (p.outcome()) {
                case CLEAN -> {
                    assertThat(r.plate(), is("AB-108"));
                    assertThat(r.confident(), is(true));
                }
                case CONFUSED -> {
                    assertThat(r.plate(), not(is("AB-108")));
                    assertThat("a confusion is folded back by the one plate rule", Plates.same(r.plate(), "AB-108"),
                            is(true));
                }
                case MISSED_CHARACTER -> {
                    assertThat(r.plate().length(), is(5));
                    assertThat(r.confidence(), greaterThan(0.749));
                    assertThat(r.confidence(), lessThan(0.851));
                    assertThat(r.confident(), is(false));
                }
                case WRONG_VEHICLE -> assertThat(r.plate(), is("PARK-99"));
                case NO_READ -> assertThat(r.plate(), nullValue());
                default -> throw new AssertionError(p);
            }
        }
        assertThat(counts.get(SimulatedPlateReader.Outcome.CLEAN) / (double) n, closeTo(0.4, 0.05));
        assertThat(counts.get(SimulatedPlateReader.Outcome.CONFUSED) / (double) n, closeTo(0.2, 0.04));
        assertThat(counts.get(SimulatedPlateReader.Outcome.MISSED_CHARACTER) / (double) n, closeTo(0.2, 0.04));
        assertThat(counts.get(SimulatedPlateReader.Outcome.WRONG_VEHICLE) / (double) n, closeTo(0.1, 0.03));
        assertThat(counts.get(SimulatedPlateReader.Outcome.NO_READ) / (double) n, closeTo(0.1, 0.03));
        assertThat(reader.nothingThere().read().noVehicle(), is(true));
    }
}
