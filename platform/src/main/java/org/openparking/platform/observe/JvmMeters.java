package org.openparking.platform.observe;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The JVM's meters under Prometheus' conventional names, read from the platform MXBeans:
 * {@code jvm_memory_used_bytes}, {@code jvm_memory_committed_bytes}, {@code jvm_memory_max_bytes} per pool,
 * {@code jvm_threads_live_threads}, {@code jvm_threads_daemon_threads}, {@code jvm_classes_loaded_classes},
 * {@code jvm_gc_collections_total}, {@code jvm_gc_collection_seconds_total}, {@code process_uptime_seconds}.
 * They replace Helidon's system meters, whose MicroProfile names ({@code memory_usedHeap_bytes}, gauges
 * ending in {@code _count}) fail {@code promtool check metrics}. Everything goes through Helidon's registry:
 * Micrometer's own JVM binders register from the JVM's notification thread too, and that deadlocked against
 * Helidon's registry lock on a start under SerialGC.
 */
public final class JvmMeters {
    private JvmMeters() {
    }

    /** Registers the JVM meters; a second call on the same registry finds them and changes nothing. */
    public static void bind(MeterRegistry registry) {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            List<Tag> tags = List.of(Tag.create("area", pool.getType() == MemoryType.HEAP ? "heap" : "nonheap"),
                    Tag.create("id", pool.getName()));
            memory(registry, "jvm.memory.used.bytes", "memory used in the pool", tags, pool, MemoryUsage::getUsed);
            memory(registry, "jvm.memory.committed.bytes", "memory committed to the pool", tags, pool,
                    MemoryUsage::getCommitted);
            memory(registry, "jvm.memory.max.bytes", "most memory the pool may use, -1 if unbounded", tags, pool,
                    MemoryUsage::getMax);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(registry, "jvm.threads.live.threads", "live threads", threads::getThreadCount);
        gauge(registry, "jvm.threads.daemon.threads", "live daemon threads", threads::getDaemonThreadCount);
        gauge(registry, "jvm.threads.peak.threads", "most live threads since the JVM started",
                threads::getPeakThreadCount);
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        gauge(registry, "jvm.classes.loaded.classes", "classes loaded now", classes::getLoadedClassCount);
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        registry.getOrCreate(Gauge.builder("process.uptime.seconds", () -> runtime.getUptime() / 1000.0)
                .description("time since the JVM started"));
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            List<Tag> tags = List.of(Tag.create("gc", gc.getName()));
            registry.getOrCreate(FunctionalCounter.builder("jvm.gc.collections", gc,
                            (GarbageCollectorMXBean b) -> Math.max(0, b.getCollectionCount()))
                    .description("garbage collections since the JVM started").tags(tags));
            registry.getOrCreate(FunctionalCounter.builder("jvm.gc.collection.seconds", gc,
                            (GarbageCollectorMXBean b) -> Math.max(0, b.getCollectionTime()) / 1000)
                    .description("time spent in garbage collection since the JVM started, in whole seconds")
                    .tags(tags));
        }
    }

    private static void memory(MeterRegistry registry, String name, String description, List<Tag> tags,
                               MemoryPoolMXBean pool, ToLongFunction<MemoryUsage> value) {
        registry.getOrCreate(Gauge.builder(name, () -> (double) value.applyAsLong(pool.getUsage()))
                .description(description).tags(tags));
    }

    private static void gauge(MeterRegistry registry, String name, String description,
                              java.util.function.IntSupplier value) {
        registry.getOrCreate(Gauge.builder(name, () -> (double) value.getAsInt()).description(description));
    }
}
