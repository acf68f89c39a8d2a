package org.openparking.edge.demo;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * The README's quick start, for real: {@code scripts/run-edge.sh --demo-tariff} serves the packaged edge and
 * prints its banner, and the banner's {@code scripts/drive-car.sh} drives a car in, parks it, pays a fee
 * and drives it out; the edge's own records must agree with every line the script printed.
 */
class QuickStartIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theBannersDriveCarCommandDrivesACarThroughWithAFee(@TempDir Path dir) throws Exception {
        int port = Ports.free();
        Path edgeLog = dir.resolve("run-edge.log");
        Map<String, String> env = Map.of("SERVER_PORT", String.valueOf(port),
                "EDGE_DB_PATH", dir.resolve("edge.db").toString(),
                "JAVA_HOME", System.getProperty("java.home"));
        Process edge = script(List.of("scripts/run-edge.sh", "--demo-tariff"), env, edgeLog);
        try (TestHttp http = TestHttp.create()) {
            await("the banner").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(edgeLog).contains("Stop with Ctrl-C"));
            String banner = Files.readString(edgeLog);
            String base = "http://localhost:" + port;
            for (String url : List.of(base + "/console/", base + "/observe/health", base + "/observe/metrics",
                    base + "/api/v1/availability")) {
                assertThat(banner, containsString(url));
                assertThat(url, http.get(url).status(), is(200));
            }
            assertThat(banner, containsString("demo tariff"));
            Matcher command = Pattern.compile("(scripts/drive-car\\.sh [^\\n]*)").matcher(banner);
            assertThat(banner, command.find(), is(true));

            Path driveLog = dir.resolve("drive-car.log");
            List<String> argv = new java.util.ArrayList<>(List.of(command.group(1).trim().split(" +")));
            argv.addAll(List.of("--stay", "2", "--plate", "QS-1"));
            Process drive = script(argv, env, driveLog);
            assertThat("drive-car.sh did not finish", drive.waitFor(3, TimeUnit.MINUTES), is(true));
            String out = Files.readString(driveLog);
            assertThat(out, drive.exitValue(), is(0));

            Matcher ticket = Pattern.compile("ticket issued: (T1\\.\\S+) \\(session (\\S+)\\)").matcher(out);
            assertThat(out, ticket.find(), is(true));
            assertThat(out, containsString("car QS-1 arrives at in-1"));
            assertStep(out, "in-1: GATE_OPEN, barrier OPEN", "ticket issued: T1.");
            assertStep(out, "in-1: IDLE, barrier CLOSED", "car passes the entry gate");
            assertThat(out, containsString("quote: 0.50 EUR due"));
            assertStep(out, "out-1: GATE_OPEN, barrier OPEN", "car at out-1 pays 0.50 EUR with pm_card_visa: payment DEFERRED");
            assertStep(out, "out-1: IDLE, barrier CLOSED", "car passes the exit gate");

            JsonNode session = http.get(base + "/api/v1/sessions/" + ticket.group(2)).body();
            assertThat(session.toString(), session.path("status").asText(), is("CLOSED"));
            assertThat(session.toString(), session.path("feeAmount").asLong(), is(50L));
            assertThat(session.toString(), session.path("plate").asText(), is("QS1"));
            for (JsonNode lane : http.get(base + "/api/v1/lanes").body()) {
                assertThat(lane.toString(), lane.path("phase").asText(), is("IDLE"));
                assertThat(lane.toString(), lane.path("barrier").asText(), is("CLOSED"));
            }
            assertThat(out, containsString("done: session " + ticket.group(2) + " CLOSED, fee 0.50 EUR"));
        } finally {
            edge.descendants().forEach(ProcessHandle::destroy);
            edge.destroy();
            edge.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void driveCarSaysInOneLineThatNoEdgeAnswers(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("drive.log");
        Process drive = script(List.of("scripts/drive-car.sh", "--url", "http://localhost:" + Ports.free()),
                Map.of("JAVA_HOME", System.getProperty("java.home")), log);
        assertThat(drive.waitFor(2, TimeUnit.MINUTES), is(true));
        String out = Files.readString(log);
        assertThat(out, drive.exitValue(), is(1));
        assertThat(out, containsString("drive-car: no edge answers at http://localhost:"));
        assertThat(out, containsString("start one with scripts/run-edge.sh"));
    }

    /** One printed step shows both the lane's state and what happened. */
    private static void assertStep(String out, String gate, String what) {
        assertThat(out, out.lines().anyMatch(l -> l.contains(gate) && l.contains(what)), is(true));
    }

    private static Process script(List<String> argv, Map<String, String> env, Path log) throws Exception {
        List<String> command = new java.util.ArrayList<>(argv);
        command.set(0, ROOT.resolve(argv.get(0)).toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
