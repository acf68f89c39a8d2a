package org.openparking.testing;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * What every hostile-input property checks around one input, whatever its door: the service's stored state is
 * exactly the baseline taken before the first input, the process is still alive, and the input wrote no more
 * log lines than its bound (and no secret). The test keeps only its door: how to send an input, what its
 * snapshot reads and what "alive" means there.
 */
public final class HostileRig implements AutoCloseable {

    /** The stored state of the service under test, serialised so that any change to any row shows. */
    @FunctionalInterface
    public interface Snapshot {
        String take() throws Exception;
    }

    private final Snapshot snapshot;
    private final ServiceLogLines log;
    private final String baseline;

    private HostileRig(Snapshot snapshot, ServiceLogLines log, String baseline) {
        this.snapshot = snapshot;
        this.log = log;
        this.baseline = baseline;
    }

    /** Starts counting the service's log lines and takes the baseline now. */
    public static HostileRig start(Snapshot snapshot) throws Exception {
        return new HostileRig(snapshot, ServiceLogLines.install(), snapshot.take());
    }

    /**
     * Starts counting and takes the baseline once start-up's deferred writes (barrier movements, the first
     * events relayed) are done: when two snapshots further apart than those writes agree.
     */
    public static HostileRig startSettled(Snapshot snapshot) throws Exception {
        ServiceLogLines log = ServiceLogLines.install();
        String[] last = {snapshot.take()};
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(1500))
                .until(() -> {
                    String now = snapshot.take();
                    boolean settled = now.equals(last[0]);
                    last[0] = now;
                    return settled;
                });
        return new HostileRig(snapshot, log, last[0]);
    }

    /** Marks where the log is before {@code input} is sent; the checks after it are the step's. */
    public Step step(Object input) {
        return new Step(String.valueOf(input), log.count());
    }

    /** The checks after one input. */
    public final class Step {
        private final String input;
        private final int logMark;

        private Step(String input, int logMark) {
            this.input = input;
            this.logMark = logMark;
        }

        public void assertUnchanged() throws Exception {
            String now = snapshot.take();
            if (!now.equals(baseline)) {
                throw new AssertionError(input + ": stored state changed\nwas: " + clip(baseline) + "\nnow: " + clip(now));
            }
        }

        public void assertAlive(String what, boolean alive) {
            if (!alive) {
                throw new AssertionError(input + ": " + what);
            }
        }

        /** The service's log lines since this step began. */
        public List<String> logLines() {
            return log.since(logMark);
        }

        public void assertLogLinesAtMost(int max) {
            List<String> lines = logLines();
            if (lines.size() > max) {
                throw new AssertionError(input + ": " + lines.size() + " log lines, at most " + max + " allowed: " + lines);
            }
        }

        /**
         * Exactly one log line, and it names each of {@code named} (a message id, a reason). The line holds each
         * field on one line and clips it (platform's dead-letter log line), so a name is looked for as its first
         * {@link #NAMED_PREFIX} characters with control characters read as spaces.
         */
        public void assertOneLogLineNaming(String... named) {
            List<String> lines = logLines();
            if (lines.size() != 1) {
                throw new AssertionError(input + ": " + lines.size() + " log lines, exactly one expected: " + lines);
            }
            for (String n : named) {
                String asLogged = n.substring(0, Math.min(n.length(), NAMED_PREFIX)).replaceAll("\\p{Cntrl}", " ");
                if (!lines.getFirst().contains(asLogged)) {
                    throw new AssertionError(input + ": the log line does not name " + n + ": " + lines.getFirst());
                }
            }
        }

        /** None of {@code secrets} (a card number, a password) in any log line of this step. */
        public void assertLogNeverShows(List<String> secrets) {
            for (String line : logLines()) {
                for (String s : secrets) {
                    if (line.contains(s)) {
                        throw new AssertionError(input + ": a log line shows " + s + ": " + line);
                    }
                }
            }
        }
    }

    /** Each table's rows in full, {@code SELECT *} in key order. */
    public static String tables(Connection c, List<String> tables) throws SQLException {
        StringBuilder s = new StringBuilder();
        for (String table : tables) {
            s.append(table).append(':').append(rows(c, "SELECT * FROM \"" + table + "\" ORDER BY 1"));
        }
        return s.toString();
    }

    /** The rows {@code sql} returns, every column, serialised. */
    public static String rows(Connection c, String sql) throws SQLException {
        StringBuilder s = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    s.append(rs.getString(i)).append('|');
                }
                s.append(';');
            }
        }
        return s.toString();
    }

    /** How much of a name {@link Step#assertOneLogLineNaming} looks for: less than a log field's 300 characters. */
    static final int NAMED_PREFIX = 200;

    private static String clip(String s) {
        return s.length() <= 2_000 ? s : s.substring(0, 2_000) + "...";
    }

    @Override
    public void close() {
        log.close();
    }
}
