package org.openparking.edge.realtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A subscriber as a sign or a console would be: subscribes to a filter, resubscribes after reconnecting,
 * and hands every message to the test.
 */
final class MqttProbe implements AutoCloseable {
    record Received(String topic, String payload, boolean retained, long receivedNanos) {
    }

    private final MqttClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    MqttProbe(String uri, String filter) throws MqttException {
        client = new MqttClient(uri, "probe-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    try {
                        client.subscribe(filter, 1);
                    } catch (MqttException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
                        message.isRetained(), System.nanoTime()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(200);
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        client.connect(options);
        client.subscribe(filter, 1);
    }

    /** The first message received on {@code topic} that matches; fails if none arrives in time. */
    Received next(String topic, Predicate<String> payload, Duration timeout) {
        return org.awaitility.Awaitility.await().atMost(timeout)
                .alias("a matching message on " + topic)
                .until(() -> find(topic, payload), Optional::isPresent).orElseThrow();
    }

    private Optional<Received> find(String topic, Predicate<String> payload) {
        return received.stream().filter(r -> r.topic().equals(topic) && payload.test(r.payload())).findFirst();
    }

    /** Removes retained messages (an empty retained message deletes them), so tests leave the broker clean. */
    static void clear(String uri, List<String> topics) throws MqttException {
        MqttClient c = new MqttClient(uri, "cleaner-" + UUID.randomUUID(), new MemoryPersistence());
        c.connect();
        try {
            for (String t : topics) {
                c.publish(t, new byte[0], 1, true);
            }
            c.disconnect(1000);
        } finally {
            c.close(true);
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close(true);
    }
}
