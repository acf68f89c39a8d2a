package org.openparking.firmware;

import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers a device's changes to its listeners in the order they happened, outside the device's lock.
 * The owner calls {@link #publish} while holding its lock (so the queue order is the change order) and
 * {@link #drain} after releasing it. Only one thread delivers at a time; a listener that calls back into
 * the device just queues, so there is no recursion and no lock held while user code runs.
 */
final class Listeners<T> {
    private static final Logger LOG = Logger.getLogger(Listeners.class.getName());

    private final List<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();
    private final Queue<T> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();

    void add(Consumer<? super T> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void publish(T change) {
        pending.add(change);
    }

    void drain() {
        while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
            try {
                T change;
                while ((change = pending.poll()) != null) {
                    for (Consumer<? super T> listener : listeners) {
                        try {
                            listener.accept(change);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "hardware listener failed on " + change, e);
                        }
                    }
                }
            } finally {
                delivering.set(false);
            }
        }
    }
}
