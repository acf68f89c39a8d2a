package org.openparking.platform.amqp;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openparking.testing.Ports;
import org.openparking.testing.TcpProxy;
import org.openparking.testing.TestBroker;

/**
 * A link given a node list against the machine's broker: a dead node in the list is skipped on the first
 * connect, and when the node the link is on goes away the automatic recovery reaches another one, consumer
 * and publisher working again. Two proxies to 5672 stand for two live nodes; the broker itself is never stopped.
 */
class NodeListTest {
    private TestBroker broker;

    @BeforeEach
    void vhost() {
        broker = TestBroker.create();
    }

    @AfterEach
    void deleteVhost() {
        broker.close();
    }

    @Test
    @Timeout(60) // the first connect retries for ever: without the node list it would never return
    void aDeadNodeIsSkippedAndALostNodeIsReplacedByAnotherOne() throws Exception {
        int dead = Ports.free(); // nothing listens there: connection refused
        try (TcpProxy a = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT);
             TcpProxy b = new TcpProxy(Ports.free(), TestBroker.HOST, TestBroker.PORT)) {
            a.open();
            b.open();
            // The URI names the dead port: without the node list this link would never connect.
            BrokerSettings settings = new BrokerSettings("amqp://guest:guest@127.0.0.1:" + dead + "/" + broker.vhost(),
                    Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(30))
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                    .withNodes(List.of("127.0.0.1:" + dead, "127.0.0.1:" + a.port(), "127.0.0.1:" + b.port()));
            try (BrokerLink link = BrokerLink.open(settings, "node-list-test", null, () -> true, null)) {
                assertThat(link.isUp(), is(true));
                Channel ch = link.createChannel();
                String queue = ch.queueDeclare("node-list-test", true, false, false, Topology.quorum(null)).getQueue();
                List<String> received = new CopyOnWriteArrayList<>();
                ch.basicConsume(queue, true, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                                               byte[] body) {
                        received.add(new String(body, StandardCharsets.UTF_8));
                    }
                });
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

    private static Outgoing message(String queue, String text) {
        return new Outgoing("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                text.getBytes(StandardCharsets.UTF_8));
    }
}
