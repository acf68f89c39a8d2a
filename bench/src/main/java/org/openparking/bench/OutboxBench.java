package org.openparking.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openparking.testing.JavaProcess;
import org.openparking.testing.Ports;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestHttp;

/**
 * Outbox drain rate of the packaged edge: a backlog is written while the edge runs offline (cloud link
 * empty), then the same SQLite file is started with the broker configured and the backlog is timed from
 * the first confirm to an empty outbox. Baseline: raw confirmed publishes of the same number of
 * similar-sized messages with the bare amqp-client, same vhost, same window of unconfirmed messages.
 */
final class OutboxBench {
    private static final int WINDOW = 1000;

    private OutboxBench() {
    }

    static void run(Table table, Path dir, Path jar, int cars) throws Exception {
        if (!Files.exists(jar)) {
            table.row("outbox drain rate", "not measured", "", jar + " missing");
            return;
        }
        Files.createDirectories(dir);
        TestHttp client = TestHttp.create();
        try (TestBroker broker = TestBroker.create()) {
            int port = Ports.free();
            Map<String, String> offline = Map.of("EDGE_DB_PATH", dir.resolve("edge.db").toString(),
                    "SERVER_PORT", Integer.toString(port), "EDGE_LOT_ID", "bench", "EDGE_LEVEL_ID", "L0",
                    "OCCUPANCY_MODE", "counting", "LANE_PASSAGE_TIMEOUT", "PT0.02S", "HARDWARE_BARRIER_TRAVEL", "PT0.005S");
            Process p = JavaProcess.start(jar, offline, dir.resolve("offline.log"), "-Xmx256m");
            String base = "http://127.0.0.1:" + port + "/api/v1";
            try {
                awaitReady(client, base);
                for (int i = 0; i < cars; i++) {
                    String ticket = until(client, base + "/lanes/in-1/entries", "{}").body().get("ticket").asText();
                    until(client, base + "/lanes/out-1/exits", "{\"ticket\":\"" + ticket + "\"}");
                }
            } finally {
                p.destroy();
                p.waitFor();
            }
            declareCloudSyncQueue(broker.uri()); // the edge refuses unroutable events: cloud-sync's queue must exist
            Map<String, String> online = new java.util.HashMap<>(offline);
            online.put("CLOUD_AMQP_URI", broker.uri());
            p = JavaProcess.start(jar, online, dir.resolve("online.log"), "-Xmx256m");
            long rows;
            double seconds;
            try {
                JsonNode first = awaitSync(client, base);
                rows = first.path("outboxPending").asLong();
                long t0 = 0;
                long initial = rows;
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (true) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("outbox did not drain in 3 minutes: " + sync(client, base));
                    }
                    JsonNode s = sync(client, base);
                    long pending = s == null ? initial : s.path("outboxPending").asLong();
                    if (t0 == 0 && pending < initial) {
                        t0 = System.nanoTime();
                        rows = initial;
                    }
                    if (pending == 0) {
                        break;
                    }
                    Thread.sleep(5);
                }
                seconds = (System.nanoTime() - t0) / 1e9;
            } finally {
                p.destroy();
                p.waitFor();
            }
            double raw = rawConfirmedPublishes(broker.uri(), (int) rows);
            table.row("outbox drain rate (packaged edge, backlog written offline)", EdgeBench.fmt(rows / seconds)
                            + " rows/s", EdgeBench.fmt(raw) + " raw confirmed publishes/s",
                    rows + " rows from " + cars + " cars; bare amqp-client, " + WINDOW + " unconfirmed at most, same vhost");
        }
    }

    private static void declareCloudSyncQueue(String uri) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        try (Connection c = f.newConnection("bench-topology"); Channel ch = c.createChannel()) {
            org.openparking.platform.amqp.Topology.declareCloudSync(ch);
        }
    }

    private static double rawConfirmedPublishes(String uri, int n) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(uri);
        byte[] body = ("{\"schemaVersion\":1,\"messageId\":\"x\",\"edgeId\":\"bench.L0\",\"payload\":\""
                + "x".repeat(400) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (Connection c = f.newConnection("bench-raw"); Channel ch = c.createChannel()) {
            String q = ch.queueDeclare("bench-raw", true, false, false, Map.of("x-queue-type", "quorum")).getQueue();
            ch.confirmSelect();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ch.basicPublish("", q, props, body);
                if ((i + 1) % WINDOW == 0) {
                    ch.waitForConfirmsOrDie(30_000);
                }
            }
            ch.waitForConfirmsOrDie(30_000);
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void awaitReady(TestHttp client, String base) throws Exception {
        for (int i = 0; i < 6000; i++) {
            try {
                if (client.get(base + "/availability").status() == 200) {
                    return;
                }
            } catch (java.io.UncheckedIOException notYet) {
                // starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("edge at " + base + " did not start");
    }

    private static JsonNode awaitSync(TestHttp client, String base) throws Exception {
        for (int i = 0; i < 100_000; i++) {
            JsonNode s = sync(client, base);
            if (s != null) {
                return s;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("edge at " + base + " did not start");
    }

    private static JsonNode sync(TestHttp client, String base) {
        try {
            TestHttp.Response r = client.get(base + "/sync");
            return r.status() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static TestHttp.Response until(TestHttp client, String url, String body) throws Exception {
        while (true) {
            TestHttp.Response r = client.post(url, body);
            if (r.status() == 201 || r.status() == 200) {
                return r;
            }
            if (r.status() != 409 || !"LANE_BUSY".equals(r.error())) {
                throw new IllegalStateException(url + " -> " + r);
            }
            Thread.sleep(10);
        }
    }
}
