package org.openparking.payment.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openparking.payment.PaymentApplication;
import org.openparking.payment.WorkerSettings;
import org.openparking.payment.worker.CrashPoints;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.PaymentRequested;
import org.openparking.platform.amqp.AmqpEnvelopes;
import org.openparking.platform.amqp.Topology;
import org.openparking.testing.StripeStubs;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * Payments per second through one worker process (request published → result on the edge queue),
 * with 1, 2, 4 and 8 consumers against a WireMock Stripe that answers after a fixed delay, and a
 * last run where the rate limiter caps the rate. Not a test: a main that prints a table.
 * Arguments: [payments per run (200)] [Stripe delay ms (100)].
 */
public final class PaymentBenchmark {
    private record Run(int consumers, int rateLimitPerSecond) {
    }

    private PaymentBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.http.retryPost", "false");
        int payments = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int delayMs = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        List<Run> runs = List.of(new Run(1, 80), new Run(2, 80), new Run(4, 80), new Run(8, 80), new Run(8, 20));
        WireMockServer stripe = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(64)
                .jettyAcceptors(2));
        stripe.start();
        stripe.stubFor(post(urlEqualTo(StripeStubs.INTENTS))
                .willReturn(StripeStubs.intent("succeeded").withFixedDelay(delayMs)));
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n%d payments per run, Stripe answers after %d ms%n", payments,
                delayMs));
        table.append("| consumers | rate limit/s | seconds | payments/s | ideal (consumers x 1000/delay) |\n");
        table.append("|---:|---:|---:|---:|---:|\n");
        try (TestBroker broker = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(broker.uri());
            try (Connection amqp = f.newConnection("bench")) {
                for (Run run : runs) {
                    double seconds = measure(run, payments, stripe, broker, db, amqp);
                    table.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.1f | %.0f |%n", run.consumers(),
                            run.rateLimitPerSecond(), seconds, payments / seconds,
                            Math.min(run.consumers() * 1000.0 / delayMs, run.rateLimitPerSecond())));
                }
            }
        } finally {
            stripe.stop();
        }
        System.out.println(table);
        System.exit(0);
    }

    private static double measure(Run run, int payments, WireMockServer stripe, TestBroker broker, TestDatabase db,
                                  Connection amqp) throws Exception {
        WorkerSettings.Stripe s = new WorkerSettings.Stripe("sk_test_bench", stripe.baseUrl(), "",
                Duration.ofSeconds(5), Duration.ofSeconds(10), run.rateLimitPerSecond(), Duration.ofSeconds(30), 5,
                Duration.ofMillis(100), 2.0, Duration.ofSeconds(2), 50, 10, 20, Duration.ofSeconds(5), false,
                WorkerSettings.defaults().stripe().webhookMaxBody());
        WorkerSettings d = WorkerSettings.defaults();
        WorkerSettings settings = new WorkerSettings(d.broker().withUri(broker.uri()), d.db().with(db.url(),
                run.consumers() + 2), 0, s,
                new WorkerSettings.Worker(run.consumers(), 4, Duration.ofMinutes(5), Duration.ofMillis(500),
                        Duration.ofSeconds(60), Duration.ZERO, Duration.ZERO));
        String lot = "bench" + UUID.randomUUID().toString().substring(0, 6);
        String edge = Envelope.edgeId(lot, "L1");
        try (PaymentApplication app = PaymentApplication.start(settings, CrashPoints.NONE);
             Channel ch = amqp.createChannel()) {
            ch.confirmSelect();
            Topology.declareEdgeQueue(ch, edge);
            CountDownLatch done = new CountDownLatch(payments);
            ch.basicConsume(Topology.edgeQueue(edge), true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, com.rabbitmq.client.Envelope e, AMQP.BasicProperties p,
                                           byte[] body) {
                    done.countDown();
                }
            });
            long start = System.nanoTime();
            for (int i = 0; i < payments; i++) {
                String id = lot + "-" + i;
                Envelope env = Envelope.of(edge, lot, "L1", i + 1, Instant.now(),
                        new PaymentRequested(id, "s-" + id, 500, "EUR", "pm_card_visa", false, null));
                ch.basicPublish(Topology.PAYMENTS_EXCHANGE, Topology.PAYMENTS_ROUTING_KEY,
                        AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(env), "guest"), MessageCodec.encode(env));
            }
            ch.waitForConfirmsOrDie(30_000);
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("results missing: " + done.getCount());
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
