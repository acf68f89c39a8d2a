package org.openparking.edge.realtime;

import org.openparking.edge.TestEdge;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.openparking.protocol.Json;
import org.openparking.protocol.VehicleType;

/**
 * Latency from a spot change (simulator API, HTTP) to an MQTT subscriber and to an SSE client, beside the
 * broker's own publish-to-receive latency with bare Paho clients, on the same broker in the same run.
 * Not a test. Run (Mosquitto on 127.0.0.1:1883):
 * <pre>
 * mvn -q -B -o -pl edge-controller test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.openparking.edge.realtime.RealtimeBench [-Dexec.args="2000 tcp://127.0.0.1:1883"]
 * </pre>
 * The debounce is set to zero so that the numbers show the pipeline, not the deliberate 50 ms input filter.
 */
public final class RealtimeBench {
    private RealtimeBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String broker = args.length > 1 ? args[1] : "tcp://127.0.0.1:1883";
        int warmUp = 200;
        String prefix = "bench-" + UUID.randomUUID() + "/";

        long[] toMqtt = new long[n];
        long[] toSse = new long[n];
        long[] bare = new long[n];
        LiveEdge.Options options = LiveEdge.Options.sensors(Map.of(VehicleType.STANDARD, 4)).mqtt(broker, prefix);
        try (TestEdge edge = LiveEdge.start(options)) {
            MqttTopics topics = new MqttTopics(prefix, options.lotId(), "L0");
            Map<Long, Long> mqttAt = new ConcurrentHashMap<>();
            Map<Long, Long> sseAt = new ConcurrentHashMap<>();
            Map<Long, CountDownLatch> arrivals = new ConcurrentHashMap<>();
            MqttClient sub = client(broker);
            sub.setCallback(callback((topic, msg) -> {
                long at = System.nanoTime();
                long version = Json.mapper().readTree(msg.getPayload()).get("version").asLong();
                if (mqttAt.putIfAbsent(version, at) == null) {
                    arrivals.computeIfAbsent(version, v -> new CountDownLatch(2)).countDown();
                }
            }));
            sub.subscribe(topics.availability(), 1);
            try (SseClient sse = new SseClient(edge.base() + "/availability/stream", e -> {
                if (e.name().equals("availability")) {
                    try {
                        long version = Json.mapper().readTree(e.data()).get("version").asLong();
                        if (sseAt.putIfAbsent(version, e.receivedNanos()) == null) {
                            arrivals.computeIfAbsent(version, v -> new CountDownLatch(2)).countDown();
                        }
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            })) {
                long version = edge.get("/availability").body().get("version").asLong();
                for (int i = 0; i < warmUp + n; i++) {
                    long next = version + 1;
                    CountDownLatch both = arrivals.computeIfAbsent(next, v -> new CountDownLatch(2));
                    long start = System.nanoTime();
                    edge.spot("STANDARD-001", i % 2 == 0);
                    if (!both.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("change " + next + " did not arrive");
                    }
                    if (i >= warmUp) {
                        toMqtt[i - warmUp] = mqttAt.get(next) - start;
                        toSse[i - warmUp] = sseAt.get(next) - start;
                    }
                    version = next;
                }
            }
            sub.disconnect();
            sub.close();
        }
        MqttTopics topics = new MqttTopics(prefix, options.lotId(), "L0");
        MqttProbe.clear(broker, java.util.List.of(topics.availability(), topics.status(), topics.lane("in-1"),
                topics.lane("out-1")));

        MqttClient pub = client(broker);
        MqttClient sub = client(broker);
        String topic = prefix + "bare";
        Map<Integer, Long> received = new ConcurrentHashMap<>();
        Map<Integer, CountDownLatch> latches = new ConcurrentHashMap<>();
        sub.setCallback(callback((t, msg) -> {
            int seq = Integer.parseInt(new String(msg.getPayload(), StandardCharsets.UTF_8));
            received.put(seq, System.nanoTime());
            latches.computeIfAbsent(seq, s -> new CountDownLatch(1)).countDown();
        }));
        sub.subscribe(topic, 1);
        for (int i = 0; i < warmUp + n; i++) {
            CountDownLatch latch = latches.computeIfAbsent(i, s -> new CountDownLatch(1));
            long start = System.nanoTime();
            pub.publish(topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("bare message " + i + " did not arrive");
            }
            if (i >= warmUp) {
                bare[i - warmUp] = received.get(i) - start;
            }
        }
        pub.disconnect();
        sub.disconnect();
        pub.close();
        sub.close();

        System.out.printf("%n%d changes after %d warm-up, broker %s, latency in ms%n", n, warmUp, broker);
        System.out.printf("%-52s %8s %8s %8s%n", "path", "p50", "p99", "max");
        row("spot change (simulator API) -> MQTT subscriber", toMqtt);
        row("spot change (simulator API) -> SSE client", toSse);
        row("bare Paho publish (QoS 1) -> subscriber", bare);
        System.exit(0);
    }

    private interface Handler {
        void accept(String topic, MqttMessage message) throws Exception;
    }

    private static MqttCallback callback(Handler handler) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                handler.accept(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    private static MqttClient client(String broker) throws Exception {
        MqttClient c = new MqttClient(broker, "bench-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        return c;
    }

    private static void row(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-52s %8.2f %8.2f %8.2f%n", name, ms(percentile(sorted, 50)), ms(percentile(sorted, 99)),
                ms(sorted[sorted.length - 1]));
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
