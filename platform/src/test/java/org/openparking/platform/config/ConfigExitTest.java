package org.openparking.platform.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A service's main on a wrong value: one log line naming the key, exit status 2 (a real child JVM). */
class ConfigExitTest {
    /** What a service's main does: load, map, or exit. */
    public static final class Service {
        public static void main(String[] args) {
            int port = ParkingConfig.orExit(() ->
                    ConfigValues.integer(ParkingConfig.load(ConfigInput.process()).get("server"), "port"));
            System.out.println("started on " + port);
        }
    }

    @Test
    void aWrongValueExitsWithStatusTwoAndOneLineNamingTheKey() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Service.class.getName());
        pb.environment().put("SERVER_PORT", "eighty");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS), is(true));
        assertThat(out, p.exitValue(), is(2));
        List<String> lines = out.lines().filter(l -> l.contains("invalid configuration")).toList();
        assertThat(out, lines, hasSize(1));
        assertThat(lines.getFirst(), containsString("server.port must be a whole number, was 'eighty'"));
        assertThat(out, out.contains("started on"), is(false));
    }
}
