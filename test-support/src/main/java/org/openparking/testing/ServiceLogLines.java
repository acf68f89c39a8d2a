package org.openparking.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the log lines the project's own code writes ({@code org.openparking.*} loggers) while installed on the
 * root logger: a test bounds how much one input may log. Another test's client still reconnecting in the same
 * JVM is not the service's log and is not counted.
 */
public final class ServiceLogLines extends Handler implements AutoCloseable {
    private final AtomicInteger lines = new AtomicInteger();

    private ServiceLogLines() {
    }

    /** Starts counting. */
    public static ServiceLogLines install() {
        ServiceLogLines counter = new ServiceLogLines();
        Logger.getLogger("").addHandler(counter);
        return counter;
    }

    public int count() {
        return lines.get();
    }

    @Override
    public void publish(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger != null && logger.startsWith("org.openparking.")) {
            lines.incrementAndGet();
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
