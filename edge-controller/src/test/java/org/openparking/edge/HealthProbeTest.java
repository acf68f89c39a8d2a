package org.openparking.edge;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openparking.protocol.VehicleType;
import org.openparking.testing.Ports;

/**
 * The images' health probe, {@code docker/HealthCheck.java}, compiled as both Dockerfiles compile it and
 * run as their HEALTHCHECK runs it: exit 0 only when {@code /observe/health} answers 200.
 */
class HealthProbeTest {
    private static final Path SOURCE = Path.of("..", "docker", "HealthCheck.java").toAbsolutePath().normalize();

    @TempDir
    static Path classes;

    @BeforeAll
    static void compile() {
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "--release", "21", "-d", classes.toString(), SOURCE.toString());
        assertThat("javac " + SOURCE, rc, is(0));
    }

    @Test
    void aStartedEdgeIsHealthy() throws Exception {
        try (TestEdge edge = TestEdge.start(Map.of(VehicleType.STANDARD, 1))) {
            assertThat(probe(null, edge.app().port()), is(0));
            // The cloud image probes several ports: a dead one before the live one does not matter.
            assertThat(probe(null, Ports.free(), edge.app().port()), is(0));
            // SERVER_PORT wins over the arguments, as in the edge image.
            assertThat(probe(edge.app().port(), Ports.free()), is(0));
        }
    }

    @Test
    void nothingListeningIsUnhealthy() throws Exception {
        assertThat(probe(null, Ports.free()), is(not(0)));
    }

    @Test
    void aServerAnswering503IsUnhealthy() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/observe/health", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            assertThat(probe(null, server.getAddress().getPort()), is(not(0)));
        } finally {
            server.stop(0);
        }
    }

    /** Runs the compiled probe in its own JVM; its exit code. */
    private static int probe(Integer serverPort, int... ports) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classes.toString(), "HealthCheck"));
        for (int port : ports) {
            command.add(Integer.toString(port));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(classes, "probe", ".log").toFile());
        pb.environment().remove("SERVER_PORT");
        if (serverPort != null) {
            pb.environment().put("SERVER_PORT", serverPort.toString());
        }
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe did not exit within 30 s");
        }
        return p.exitValue();
    }
}
