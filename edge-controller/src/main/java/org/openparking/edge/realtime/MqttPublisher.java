package org.openparking.edge.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.lane.LaneView;
import org.openparking.protocol.Json;

/**
 * Publishes the level's live state to the lot's MQTT broker, retained, QoS 1. Producers only record the latest
 * payload per topic and return: one background thread connects, reconnects with backoff and publishes, so a
 * broker that is down never blocks a lane or a database transaction, and stale intermediate states are skipped.
 * After every (re)connect it publishes {@code online} and the latest payload of every topic at once. The Last
 * Will is a retained {@code offline}; a clean stop publishes {@code offline} itself.
 */
final class MqttPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MqttPublisher.class.getName());
    private static final ObjectMapper JSON = Json.mapper();
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);

    private final EdgeSettings.Mqtt settings;
    private final MqttTopics topics;
    private final MqttClient client;
    /** TLS trusting {@code mqtt.tls-ca-file}; null: plaintext, or the JVM's trust store. */
    private final SSLSocketFactory tls;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Latest payload of every topic ever published: all of it is republished after a reconnect. */
    private final Map<String, byte[]> latest = new LinkedHashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Thread worker;
    private volatile boolean running = true;
    private volatile boolean connectionLost;

    MqttPublisher(EdgeSettings.Mqtt settings, MqttTopics topics) {
        this.settings = settings;
        this.topics = topics;
        try {
            this.client = new MqttClient(settings.uri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("mqtt.uri " + settings.uri() + " is not usable: " + e.getMessage(), e);
        }
        this.tls = settings.tlsCaFile().isEmpty() ? null : trusting(Path.of(settings.tlsCaFile()));
        client.setTimeToWait(Math.max(1000, settings.heartbeat().toMillis()));
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                LOG.warning(() -> "MQTT connection to " + settings.uri() + " lost: " + cause);
                connectionLost = true;
                signal();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                // The edge only publishes.
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        this.worker = Thread.ofPlatform().daemon().name("mqtt-publisher").unstarted(this::run);
    }

    void start() {
        worker.start();
    }

    /** Records what the live event means for MQTT; never blocks on the network. */
    void accept(LiveEvent event) {
        switch (event) {
            case LiveEvent.AvailabilityChanged c -> offer(topics.availability(), json(c.availability()));
            case LiveEvent.Heartbeat h -> offer(topics.availability(), json(h.confirmed()));
            case LiveEvent.LaneChanged l -> offer(topics.lane(l.lane().laneId()), json(laneState(l.lane())));
        }
    }

    static Map<String, Object> laneState(LaneView lane) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("laneId", lane.laneId());
        state.put("barrier", lane.barrier());
        state.put("updatedAt", lane.updatedAt() == null ? Instant.EPOCH : lane.updatedAt());
        return state;
    }

    boolean connected() {
        return client.isConnected();
    }

    void offer(String topic, byte[] payload) {
        lock.lock();
        try {
            latest.put(topic, payload);
            dirty.add(topic);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (running) {
            try {
                if (!client.isConnected() || connectionLost) {
                    if (connect()) {
                        backoff = MIN_BACKOFF;
                    } else {
                        await(backoff);
                        Duration doubled = backoff.multipliedBy(2);
                        backoff = doubled.compareTo(settings.heartbeat()) > 0 ? settings.heartbeat() : doubled;
                    }
                    continue;
                }
                List<String> batch = takeDirty();
                for (String topic : batch) {
                    byte[] payload;
                    lock.lock();
                    try {
                        payload = latest.get(topic);
                    } finally {
                        lock.unlock();
                    }
                    try {
                        client.publish(topic, payload, 1, true);
                    } catch (MqttException e) {
                        LOG.fine(() -> "MQTT publish to " + topic + " failed: " + e);
                        requeue(batch.subList(batch.indexOf(topic), batch.size()));
                        connectionLost = !client.isConnected() || connectionLost;
                        if (!connectionLost) {
                            await(MIN_BACKOFF);
                        }
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "MQTT publisher failure", e);
            }
        }
    }

    /** A TLS socket factory that trusts exactly the certificates of {@code caPem}. */
    static SSLSocketFactory trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new IllegalArgumentException("mqtt.tls-ca-file " + caPem + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("mqtt.tls-ca-file " + caPem + " is not usable: " + e.getMessage(), e);
        }
    }

    private boolean connect() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setAutomaticReconnect(false); // this thread reconnects, so it can republish the state first
        options.setConnectionTimeout((int) Math.max(1, Math.min(30, settings.heartbeat().toSeconds())));
        options.setKeepAliveInterval((int) Math.max(2, settings.heartbeat().toSeconds()));
        options.setWill(topics.status(), "offline".getBytes(StandardCharsets.UTF_8), 1, true);
        if (tls != null) {
            options.setSocketFactory(tls);
            options.setHttpsHostnameVerificationEnabled(true);
        }
        if (!settings.username().isBlank()) {
            options.setUserName(settings.username());
            options.setPassword(settings.password().toCharArray());
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000);
            }
            client.connect(options);
            connectionLost = false;
            client.publish(topics.status(), "online".getBytes(StandardCharsets.UTF_8), 1, true);
            lock.lock();
            try {
                dirty.addAll(latest.keySet());
            } finally {
                lock.unlock();
            }
            LOG.info(() -> "MQTT connected to " + settings.uri() + " as " + settings.clientId());
            return true;
        } catch (MqttException e) {
            LOG.fine(() -> "MQTT connect to " + settings.uri() + " failed: " + e);
            return false;
        }
    }

    private List<String> takeDirty() throws InterruptedException {
        lock.lock();
        try {
            while (dirty.isEmpty() && running && !connectionLost) {
                changed.await(1, TimeUnit.SECONDS);
            }
            List<String> batch = new ArrayList<>(dirty);
            dirty.clear();
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void requeue(List<String> unsent) {
        lock.lock();
        try {
            dirty.addAll(unsent);
        } finally {
            lock.unlock();
        }
    }

    private void await(Duration d) throws InterruptedException {
        lock.lock();
        try {
            if (running) {
                changed.await(d.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops cleanly: publishes {@code offline} (what the Last Will would say) and disconnects. */
    @Override
    public void close() {
        running = false;
        signal();
        worker.interrupt();
        try {
            worker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client.isConnected()) {
                client.publish(topics.status(), "offline".getBytes(StandardCharsets.UTF_8), 1, true);
                client.disconnect(1000);
            }
        } catch (MqttException e) {
            LOG.fine(() -> "MQTT clean disconnect failed: " + e);
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.fine(() -> "MQTT close failed: " + e);
        }
    }

    /** Drops the connection without a clean disconnect, as a crash would: tests see the Last Will. */
    void disconnectAbruptly() {
        running = false;
        signal();
        worker.interrupt();
        try {
            worker.join(2000);
            client.disconnectForcibly(0, 0, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (MqttException e) {
            LOG.fine(() -> "MQTT forced disconnect failed: " + e);
        }
    }
}
