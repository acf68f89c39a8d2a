package org.openparking.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own checker, {@code promtool} (Debian package {@code prometheus}, installed by
 * scripts/services.sh): lints a scrape ({@code check metrics}), validates rule files ({@code check rules})
 * and runs rule unit tests ({@code test rules}). Each call runs the binary and returns its exit code and
 * combined output, so a test can show promtool's own words when it fails.
 */
public final class Promtool {
    private static final long TIMEOUT_SECONDS = 120;

    /** promtool's verdict: exit code 0 is a pass. */
    public record Result(int exitCode, String output) {
        public boolean passed() {
            return exitCode == 0;
        }
    }

    private Promtool() {
    }

    /** The binary, from {@code PROMTOOL} or the PATH; a clear error if it is not installed. */
    public static String binary() {
        String configured = System.getenv("PROMTOOL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("promtool not found on PATH: install the Debian package prometheus"
                + " (scripts/services.sh does) or set PROMTOOL");
    }

    /** {@code promtool check metrics} over a scrape in Prometheus text format. */
    public static Result checkMetrics(String scrape) {
        return run(scrape, "check", "metrics");
    }

    /** {@code promtool check rules FILE...}. */
    public static Result checkRules(Path... files) {
        List<String> args = new ArrayList<>(List.of("check", "rules"));
        for (Path f : files) {
            args.add(f.toString());
        }
        return run(null, args.toArray(String[]::new));
    }

    /** {@code promtool test rules FILE}, run in the file's folder so its rule_files resolve. */
    public static Result testRules(Path file) {
        return run(null, file.toAbsolutePath().getParent(), "test", "rules", file.getFileName().toString());
    }

    private static Result run(String stdin, String... args) {
        return run(stdin, null, args);
    }

    private static Result run(String stdin, Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), output.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for promtool", e);
        }
    }
}
