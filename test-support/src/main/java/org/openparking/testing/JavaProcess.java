package org.openparking.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a runnable jar of this project as a real child process, for crash tests that {@code kill -9}
 * it and for the bench that times its start. The JVM is the one running the caller.
 */
public final class JavaProcess {
    private JavaProcess() {
    }

    public static Process start(Path jar, Map<String, String> env, Path log, String... jvmArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (log != null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            pb.redirectOutput(new File("/dev/null"));
        }
        return pb.start();
    }

    /** SIGKILL, no shutdown hooks: what a power cut does. */
    public static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor();
    }
}
