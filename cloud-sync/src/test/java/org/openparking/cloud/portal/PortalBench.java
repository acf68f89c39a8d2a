package org.openparking.cloud.portal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openparking.cloud.Events;
import org.openparking.cloud.auth.AuthSettings;
import org.openparking.cloud.auth.GatewayFixture;
import org.openparking.cloud.auth.Role;
import org.openparking.testing.TestHttp;

/**
 * Portal API latency under 100 concurrent polling clients, and SSE fan-out to 1,000 clients.
 * Not part of the normal run (the name matches no surefire pattern): run it with
 * {@code mvn -o -pl cloud-sync verify -Dtest=PortalBench -Dbench.pollers=100 -Dbench.streams=1000},
 * or its main. Prints a table.
 */
public final class PortalBench {
    @org.junit.jupiter.api.Test
    void run() throws Exception {
        main(new String[] {System.getProperty("bench.pollers", "100"), System.getProperty("bench.streams", "1000")});
    }

    public static void main(String[] args) throws Exception {
        int pollers = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        try (GatewayFixture g = GatewayFixture.start(AuthSettings.defaults().withLimits(5, 100_000, 100_000,
                65_536))) {
            Events edge = new Events("A", "L1");
            g.publishFromEdge(edge.next(Events.availability(10, 1)));
            g.awaitApplied(1);
            String token = g.app.gateway().tokens().issue("bench", Role.VIEWER, null).token();

            // 1. Polling: each client GETs /lots then /lots/A/levels in a loop for 15 s.
            TestHttp http = TestHttp.create();
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < pollers; i++) {
                    pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            for (String path : List.of("/api/v1/lots", "/api/v1/lots/A/levels")) {
                                long t0 = System.nanoTime();
                                TestHttp.Response r = http.get(g.baseUrl() + path, "Authorization", "Bearer " + token);
                                if (r.status() != 200) {
                                    throw new IllegalStateException(path + " -> " + r.status());
                                }
                                latencies.add(System.nanoTime() - t0);
                            }
                        }
                        return null;
                    });
                }
            }
            List<Long> poll = new ArrayList<>(latencies);
            Collections.sort(poll);

            // 2. SSE fan-out: N clients connected, one availability change, time until each client has it.
            CountDownLatch connected = new CountDownLatch(streams);
            CountDownLatch received = new CountDownLatch(streams);
            ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
            long[] published = new long[1];
            var clients = Executors.newVirtualThreadPerTaskExecutor();
            List<TestHttp.Streaming> bodies = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < streams; i++) {
                clients.submit(() -> {
                    TestHttp.Streaming r = TestHttp.create().stream(
                            g.baseUrl() + "/api/v1/stream?access_token=" + token);
                    bodies.add(r);
                    connected.countDown();
                    r.lines().filter(l -> l.contains("\"occupied\":77")).findFirst().ifPresent(l -> {
                        arrivals.add(System.nanoTime() - published[0]);
                        received.countDown();
                    });
                    return null;
                });
            }
            boolean allConnected = connected.await(120, TimeUnit.SECONDS);
            published[0] = System.nanoTime();
            g.publishFromEdge(edge.next(Events.availability(77, 2)));
            boolean all = received.await(120, TimeUnit.SECONDS);
            List<Long> fan = new ArrayList<>(arrivals);
            Collections.sort(fan);
            bodies.forEach(TestHttp.Streaming::close);
            clients.shutdownNow();

            System.out.printf("%-44s %10s %10s %10s %10s%n", "measure", "count", "p50 ms", "p99 ms", "max ms");
            System.out.printf("%-44s %10d %10.1f %10.1f %10.1f%n", pollers + " polling clients, GET lots+levels",
                    poll.size(), ms(poll, 0.50), ms(poll, 0.99), ms(poll, 1.0));
            System.out.printf("%-44s %10d %10.1f %10.1f %10.1f%n", streams + " SSE clients, publish->event"
                    + (allConnected && all ? "" : " (INCOMPLETE)"), fan.size(), ms(fan, 0.50), ms(fan, 0.99),
                    ms(fan, 1.0));
            System.out.printf("requests/s while polling: %.0f (15 s)%n", poll.size() / 15.0);
        }
    }

    private static double ms(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }
}
