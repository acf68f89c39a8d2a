package org.openparking.bench;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The benchmark command ({@code scripts/bench.sh}): prints a markdown table of measured figures, each
 * beside a baseline measured in the same run on the same machine, and writes it to the file given as
 * the first argument.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : null;
        Path root = Path.of(System.getProperty("bench.root", "."));
        int cycles = Integer.getInteger("bench.cycles", 2000);
        Path work = Files.createTempDirectory("parking-bench");
        Table table = new Table();
        EdgeBench.run(table, work, root.resolve("edge-controller/target/edge-controller.jar"), cycles);
        String machine = Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max heap, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", host " + InetAddress.getLocalHost().getHostName();
        String report = "Measured " + Instant.now() + " on " + machine + ".\n\n" + table.markdown();
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }
}
