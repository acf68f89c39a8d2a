package org.openparking.platform.amqp;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openparking.testing.Ports;
import org.openparking.testing.TcpProxy;
import org.openparking.testing.TestBroker;

/**
 * The one connection policy against a real broker: first connect retried, a lost link recovered with its
 * consumers, a node list's dead node skipped and a lost node replaced by another (the broker is never stopped).
 */
class BrokerLinkTest {
    private TestBroker broker;

    @BeforeEach
    void vhost() {
        broker = TestBroker.create();
    }

    @AfterEach
    void deleteVhost() {
        broker.close();
    }

    private static BrokerSettings fast(String uri) {
        return new BrokerSettings(uri, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMillis(500), Duration.ofSeconds(30)).withBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
    }

    private static String via(TcpProxy proxy, String vhost) {
        return "amqp://guest:guest@127.0.0.1:" + proxy.port() + "/" + vhost;
    }

    @Test
    void theFirstConnectIsRetriedWithBackoffUntilTheBrokerIsReachable() throws Exception {
        try (TcpProxy proxy = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT)) {
            List<String> failures = new CopyOnWriteArrayList<>();
            CompletableFuture<BrokerLink> opened = CompletableFuture.supplyAsync(() -> {
                try {
                    return BrokerLink.open(fast(via(proxy, broker.vhost())), "retry-test", null, () -> true,
                            failures::add);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> failures.size() >= 3);
            assertThat(opened.isDone(), is(false));
            proxy.open();
            try (BrokerLink link = opened.get()) {
                assertThat(link.isUp(), is(true));
            }
        }
    }

    @Test
    void toldToStopItGivesUpAndReturnsNothing() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        BrokerLink link = BrokerLink.open(fast("amqp://guest:guest@127.0.0.1:" + Ports.free() + "/x"), "stop-test",
                null, () -> attempts.get() < 2, why -> attempts.incrementAndGet());
        assertThat(link, is(nullValue()));
    }

    @Test
    void aWrongUriIsAConfigurationErrorNotSomethingToRetry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BrokerSettings("http://nope", Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMillis(500), Duration.ofSeconds(30)));
        assertThat(e.getMessage(), containsString("AMQP URI"));
    }

    @Test
    void aLinkClosedByTheBrokerRecoversItsConsumerAndPublishesAgain() throws Exception {
        try (BrokerLink link = BrokerLink.open(fast(broker.uri()), "recovery-test", null, () -> true, null)) {
            AtomicInteger downs = new AtomicInteger();
            AtomicInteger recoveries = new AtomicInteger();
            link.onDown(why -> downs.incrementAndGet());
            link.onRecovered(recoveries::incrementAndGet);
            String queue = "link-test";
            List<String> received = consume(link, queue);
            ConfirmingPublisher publisher = link.publisher(Duration.ofSeconds(5));
            publisher.publish(List.of(message(queue, "before")));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("before"));

            TestBroker.ctl("close_all_connections", "--vhost", broker.vhost(), "--limit", "100", "test: broker restart");
            await().atMost(Duration.ofSeconds(20)).until(() -> downs.get() >= 1 && recoveries.get() >= 1
                    && link.isUp());

            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                publisher.publish(List.of(message(queue, "after")));
                return true;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("after"));
        }
    }

    @Test
    void aCutConnectionComesBackThroughTheSameAddress() throws Exception {
        try (TcpProxy proxy = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT)) {
            proxy.open();
            try (BrokerLink link = BrokerLink.open(fast(via(proxy, broker.vhost())), "cut-test", null, () -> true,
                    null)) {
                proxy.cut();
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.accepted() >= 2 && link.isUp());
                Channel ch = link.createChannel();
                assertThat(ch.queueDeclare().getQueue().isEmpty(), is(false));
                assertThat(proxy.accepted(), greaterThanOrEqualTo(2));
            }
        }
    }

    @Test
    @Timeout(60) // the first connect retries for ever: without the node list it would never return
    void aDeadNodeIsSkippedAndALostNodeIsReplacedByAnotherOne() throws Exception {
        int dead = Ports.free(); // nothing listens there: connection refused
        try (TcpProxy a = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT);
             TcpProxy b = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT)) {
            a.open();
            b.open();
            // Two proxies to 5672 stand for two live nodes. The URI names the dead port: without the node list
            // this link would never connect.
            BrokerSettings settings = fast("amqp://guest:guest@127.0.0.1:" + dead + "/" + broker.vhost())
                    .withNodes(List.of("127.0.0.1:" + dead, "127.0.0.1:" + a.port(), "127.0.0.1:" + b.port()));
            try (BrokerLink link = BrokerLink.open(settings, "node-list-test", null, () -> true, null)) {
                assertThat(link.isUp(), is(true));
                String queue = "node-list-test";
                List<String> received = consume(link, queue);
                ConfirmingPublisher publisher = link.publisher(Duration.ofSeconds(5));
                publisher.publish(List.of(message(queue, "before")));
                await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("before"));

                // The node the link is on goes away for good (refuses connections): recovery must use the other.
                TcpProxy on = a.accepted() > 0 ? a : b;
                TcpProxy other = on == a ? b : a;
                int otherBefore = other.accepted();
                on.shut();
                await().atMost(Duration.ofSeconds(30)).until(() -> other.accepted() > otherBefore && link.isUp());

                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    publisher.publish(List.of(message(queue, "after")));
                    return true;
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("after"));
            }
        }
    }

    /** A quorum queue of that name on the link, its deliveries auto-acknowledged into the returned list. */
    private static List<String> consume(BrokerLink link, String queue) throws java.io.IOException {
        Channel ch = link.createChannel();
        ch.queueDeclare(queue, true, false, false, Topology.quorum(null));
        List<String> received = new CopyOnWriteArrayList<>();
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                received.add(new String(body, StandardCharsets.UTF_8));
            }
        });
        return received;
    }

    private static Outgoing message(String queue, String text) {
        return new Outgoing("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                text.getBytes(StandardCharsets.UTF_8));
    }
}
