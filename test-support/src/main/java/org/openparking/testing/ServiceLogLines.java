package org.openparking.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Counts and keeps the log lines the project's own code writes ({@code org.openparking.*} loggers) while installed
 * on the root logger: a test bounds how much one input may log and reads what the lines say. Another test's client
 * still reconnecting in the same JVM is not the service's log and is not counted.
 */
public final class ServiceLogLines extends Handler implements AutoCloseable {
    private static final Formatter TEXT = new SimpleFormatter();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private ServiceLogLines() {
    }

    /** Starts counting. */
    public static ServiceLogLines install() {
        ServiceLogLines counter = new ServiceLogLines();
        Logger.getLogger("").addHandler(counter);
        return counter;
    }

    public int count() {
        return lines.size();
    }

    /** The lines written since {@link #count()} was {@code mark}: logger name, message and any exception. */
    public List<String> since(int mark) {
        return List.copyOf(lines.subList(mark, lines.size()));
    }

    @Override
    public void publish(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger != null && logger.startsWith("org.openparking.")) {
            lines.add(logger + " " + TEXT.formatMessage(record)
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }
    }

    @Override
    public void flush() {
    }

    /** Stops counting. */
    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
