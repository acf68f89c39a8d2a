package org.openparking.firmware;

import java.time.Duration;
import java.util.PriorityQueue;

/** Virtual time: tasks run on the test thread when the test advances the clock. */
final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long sequence;

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long order = sequence++;
        final Runnable body;
        boolean cancelled;

        Task(long due, Runnable body) {
            this.due = due;
            this.body = body;
        }

        @Override
        public int compareTo(Task other) {
            return due != other.due ? Long.compare(due, other.due) : Long.compare(order, other.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(now + delay.toNanos(), task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward, running every task that falls due, in order, including tasks they schedule. */
    void advance(Duration by) {
        long until = now + by.toNanos();
        while (!tasks.isEmpty() && tasks.peek().due <= until) {
            Task task = tasks.poll();
            now = task.due;
            if (!task.cancelled) {
                task.body.run();
            }
        }
        now = until;
    }
}
