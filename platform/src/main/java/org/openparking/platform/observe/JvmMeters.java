package org.openparking.platform.observe;

import io.helidon.metrics.api.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM's meters (memory, GC, threads, classes, uptime) under Prometheus' conventional names
 * ({@code jvm_memory_used_bytes}, {@code jvm_gc_pause_seconds}, {@code process_uptime_seconds}, ...).
 * They replace Helidon's system meters, whose MicroProfile names ({@code memory_usedHeap_bytes}, gauges
 * ending in {@code _count}) fail {@code promtool check metrics}.
 */
public final class JvmMeters {
    private JvmMeters() {
    }

    /**
     * Binds the JVM meters to the Micrometer registry under {@code registry}, once per registry: tests start
     * several services in one JVM on the global registry, and each GC binder would add a listener.
     */
    public static void bind(MeterRegistry registry) {
        io.micrometer.core.instrument.MeterRegistry micrometer =
                registry.unwrap(io.micrometer.core.instrument.MeterRegistry.class);
        synchronized (micrometer) {
            if (micrometer.find("jvm.memory.used").meter() != null) {
                return;
            }
            new JvmMemoryMetrics().bindTo(micrometer);
            new JvmGcMetrics().bindTo(micrometer);
            new JvmThreadMetrics().bindTo(micrometer);
            new ClassLoaderMetrics().bindTo(micrometer);
            new UptimeMetrics().bindTo(micrometer);
        }
    }
}
