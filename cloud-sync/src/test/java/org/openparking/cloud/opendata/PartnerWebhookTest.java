package org.openparking.cloud.opendata;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;
import org.openparking.testing.Ports;
import org.openparking.testing.TestHttp;

/**
 * A partner endpoint run by the test receives signed webhooks, in order and with stable ids it can deduplicate
 * by, across a cloud-sync restart: its first answers are 500s (retried with backoff), availability changes are
 * coalesced (one per level per interval) while almost-full, full and reopened transitions always go out, and a
 * second partner whose endpoint is down has its deliveries go dead after the bound without holding up the first.
 */
class PartnerWebhookTest {
    private record Received(String id, String signature, String body, int answered) {
    }

    @Test
    void signedOrderedDeduplicatableDeliveriesAcrossARestart() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        AtomicInteger failFirst = new AtomicInteger(2);
        HttpServer partner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        partner.createContext("/hooks", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = failFirst.getAndDecrement() > 0 ? 500 : 200;
            received.add(new Received(exchange.getRequestHeaders().getFirst("Webhook-Id"),
                    exchange.getRequestHeaders().getFirst("Webhook-Signature"), body, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        partner.start();
        WebhookSettings webhooks = new WebhookSettings(Duration.ofMillis(200), Duration.ofHours(1),
                Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1), 4, true);
        try (OpenDataFixture f = OpenDataFixture.start(OpenDataSettings.defaults(), webhooks)) {
            f.createOperator("olga", "olga-password-1", "op-a", "A");
            f.createOperator("bob", "bob-password-1", "op-b", "B");
            String olga = f.login("olga", "olga-password-1");
            String url = "http://127.0.0.1:" + partner.getAddress().getPort() + "/hooks";

            TestHttp.Response city = register(f, olga, "city", url, "A");
            assertThat(city.toString(), city.status(), is(201));
            String secret = city.body().get("secret").asText();
            assertThat(register(f, olga, "down", "http://127.0.0.1:" + Ports.free() + "/x", "A").status(), is(201));

            // Another tenant cannot watch lot A; plain http is refused outside 127.0.0.1.
            String bob = f.login("bob", "bob-password-1");
            assertThat(register(f, bob, "spy", url, "A").status(), is(404));
            TestHttp.Response http = register(f, olga, "plain", "http://partner.example/hooks", "A");
            assertThat(http.status(), is(400));
            assertThat(http.body().get("message").asText(), containsString("url"));
            assertThat(Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                    "SELECT partner_id FROM partners ORDER BY 1", rs -> rs.getString(1))), is(List.of("city", "down")));

            // Each report waits until its event is queued: a transition is relative to what the partner was last
            // told, so two reports between polls would make one transition (5 -> 0 free is just "full").
            f.report("A", "L1", 10, 5, "OPEN", Map.of());
            awaitQueued(f, "availability.changed");
            f.report("A", "L1", 10, 7, "OPEN", Map.of());
            f.report("A", "L1", 10, 1, "OPEN", Map.of());
            awaitQueued(f, "availability.changed", "availability.almost-full");
            f.report("A", "L1", 10, 0, "OPEN", Map.of());
            awaitQueued(f, "availability.changed", "availability.almost-full", "availability.full");
            await().atMost(Duration.ofSeconds(60)).until(() -> acked(received).size() >= 3);

            // cloud-sync goes down; the edge's next report waits in the broker; cloud-sync comes back.
            f.stopCloud();
            f.send("A", "L1", 10, 4, "OPEN", Map.of());
            f.startCloud();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked(received).size() >= 4);

            Map<String, String> types = acked(received);
            Received sample = received.get(received.size() - 1);
            java.nio.file.Path samples = java.nio.file.Path.of(System.getProperty("open-data.samples",
                    "target/open-data-samples"));
            java.nio.file.Files.createDirectories(samples);
            java.nio.file.Files.writeString(samples.resolve("webhook.txt"), "Webhook-Id: " + sample.id()
                    + "\nWebhook-Signature: " + sample.signature() + "\n\n" + sample.body() + "\n");
            assertThat(new ArrayList<>(types.values()), is(List.of("availability.changed",
                    "availability.almost-full", "availability.full", "availability.reopened")));
            for (Received r : received) {
                assertThat("signature of " + r.id(), valid(r, secret), is(true));
                assertThat(valid(new Received(r.id(), r.signature(), r.body().replace("\"free\":", "\"free\":1"),
                        r.answered()), secret), is(false));
            }
            // The two refused attempts were the first event, retried under the same id.
            assertThat(received.get(0).answered(), is(500));
            assertThat(received.get(1).id(), is(received.get(0).id()));
            assertThat(received.get(2).id(), is(received.get(0).id()));
            assertThat(received.get(2).answered(), is(200));

            String again = f.login("olga", "olga-password-1");
            await().atMost(Duration.ofSeconds(60)).until(() -> status(f, again, "down").get("dead").asInt() == 4);
            JsonNode cityStatus = status(f, again, "city");
            assertThat(cityStatus.get("delivered").asInt(), is(4));
            assertThat(cityStatus.get("pending").asInt(), is(0));
            assertThat(cityStatus.get("dead").asInt(), is(0));
            assertThat(cityStatus.get("lastError").asText(), is("HTTP 500"));
            assertThat(status(f, again, "down").get("lastError").asText(), containsString("Connect"));
            TestHttp.Response bobs = f.http.get(f.url("/api/v1/partners"), "Authorization", "Bearer "
                    + f.login("bob", "bob-password-1"));
            assertThat("bob's tenant sees none of op-a's partners", bobs.body().get("partners").size(), is(0));
        } finally {
            partner.stop(0);
        }
    }

    /** Waits until exactly these events are queued for partner city, in this order. */
    private static void awaitQueued(OpenDataFixture f, String... types) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Jdbc.read(f.app.dataSource(), c -> Jdbc.query(c,
                "SELECT type FROM webhook_deliveries WHERE partner_id = 'city' ORDER BY delivery_id",
                rs -> rs.getString(1))), is(List.of(types)));
    }

    private static TestHttp.Response register(OpenDataFixture f, String token, String id, String url, String lot)
            throws Exception {
        return f.http.post(f.url("/api/v1/partners"), Json.mapper().writeValueAsString(Map.of("partnerId", id,
                "url", url, "lots", List.of(lot))), "Authorization", "Bearer " + token);
    }

    /** What a partner keeps: the first 2xx-answered delivery of each Webhook-Id, in arrival order, by type. */
    private static Map<String, String> acked(List<Received> received) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Received r : received) {
            if (r.answered() == 200 && !types.containsKey(r.id())) {
                types.put(r.id(), TestHttp.parse(r.body()).get("type").asText());
            }
        }
        return types;
    }

    /** The partner's check: t=...,v1=... with v1 = HMAC-SHA256(secret, t + "." + body). */
    private static boolean valid(Received r, String secret) {
        String t = null;
        String v1 = null;
        for (String part : r.signature().split(",")) {
            if (part.startsWith("t=")) {
                t = part.substring(2);
            } else if (part.startsWith("v1=")) {
                v1 = part.substring(3);
            }
        }
        return t != null && v1 != null && java.security.MessageDigest.isEqual(
                WebhookWorker.sign(secret, t + "." + r.body()).getBytes(StandardCharsets.US_ASCII),
                v1.getBytes(StandardCharsets.US_ASCII));
    }

    private static JsonNode status(OpenDataFixture f, String token, String partnerId) {
        for (JsonNode p : f.http.get(f.url("/api/v1/partners"), "Authorization", "Bearer " + token).body()
                .get("partners")) {
            if (p.get("partnerId").asText().equals(partnerId)) {
                return p;
            }
        }
        throw new AssertionError("no partner " + partnerId);
    }
}
