package org.openparking.platform.amqp;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.protocol.AvailabilityChanged;
import org.openparking.protocol.Envelope;
import org.openparking.testing.TestBroker;

/**
 * Identity on a real broker with real users: every publish carries its connection's user as
 * {@code user_id}, the broker refuses a forged one, and dead-lettering a message that carries another
 * user's {@code user_id} does not fail (it goes out under the consumer's identity).
 */
class BrokerIdentityTest {
    private static final String QUEUE = "identity-test";
    private static final String EXCHANGE = "identity-x";

    private TestBroker broker;
    private String edgeUser;
    private String consumerUser;
    private BrokerLink admin;
    private Channel adminChannel;

    @BeforeEach
    void open() throws Exception {
        broker = TestBroker.create();
        String run = UUID.randomUUID().toString().substring(0, 8);
        edgeUser = "edge-id" + run + "-L0";
        consumerUser = "consumer-" + run;
        broker.addUser(edgeUser, "pw", "^$", "^" + EXCHANGE + "$", "^$");
        broker.addUser(consumerUser, "pw", "^$", "^parking\\.dlx$", "^" + QUEUE + "$");
        admin = BrokerLink.openOnce(settings(broker.uri()), "identity-admin", null);
        adminChannel = admin.createChannel();
        Topology.declareDeadLetters(adminChannel);
        adminChannel.queueDeclare(QUEUE, true, false, false, Topology.quorum(Topology.DLX_EXCHANGE));
        adminChannel.exchangeDeclare(EXCHANGE, "fanout", true);
        adminChannel.queueBind(QUEUE, EXCHANGE, "");
    }

    @AfterEach
    void close() {
        admin.close();
        broker.close();
    }

    private static Envelope event() {
        return Envelope.of("id.L0", "id", "L0", 1, Instant.now(),
                new AvailabilityChanged(10, 1, 9, Map.of(), "OPEN", 1, Instant.now()));
    }

    private GetResponse next(String queue) throws IOException {
        return await().atMost(Duration.ofSeconds(10)).until(() -> adminChannel.basicGet(queue, true),
                notNullValue());
    }

    @Test
    void aPublisherStampsItsOwnUserAndTheBrokerRefusesAnother() throws Exception {
        BrokerSettings asEdge = settings(broker.uri(edgeUser, "pw"));
        assertThat(asEdge.username(), is(edgeUser));
        try (ConfirmingPublisher publisher = ConfirmingPublisher.lazy(asEdge, "identity-edge", Duration.ofSeconds(5))) {
            publisher.publish(List.of(Outgoing.of(EXCHANGE, "", event())));
        }
        assertThat(next(QUEUE).getProps().getUserId(), is(edgeUser));

        try (BrokerLink link = BrokerLink.openOnce(asEdge, "identity-forger", null)) {
            Channel forger = link.createChannel();
            AMQP.BasicProperties forged = AmqpEnvelopes.authoredBy(AmqpEnvelopes.properties(event()),
                    "payment-worker");
            forger.basicPublish(EXCHANGE, "", forged, "{}".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> !forger.isOpen());
            assertThat(forger.getCloseReason().getMessage(), containsString("PRECONDITION_FAILED"));
            assertThat(forger.getCloseReason().getMessage(), containsString("user_id"));
        }
    }

    @Test
    void deadLetteringAnotherUsersMessageGoesOutUnderTheConsumersIdentity() throws Exception {
        try (ConfirmingPublisher publisher = ConfirmingPublisher.lazy(
                settings(broker.uri(edgeUser, "pw")), "identity-edge", Duration.ofSeconds(5))) {
            publisher.publish(List.of(Outgoing.of(EXCHANGE, "", event())));
        }
        try (BrokerLink link = BrokerLink.openOnce(settings(broker.uri(consumerUser, "pw")),
                "identity-consumer", null)) {
            Channel consume = link.createChannel();
            Acknowledger acks = Acknowledger.create(consume, consume, QUEUE);
            GetResponse delivery = await().atMost(Duration.ofSeconds(10))
                    .until(() -> consume.basicGet(QUEUE, false), notNullValue());
            assertThat(delivery.getProps().getUserId(), is(edgeUser));
            // Before: republished with the edge's user_id, refused by the broker, and the channel closed.
            assertThat(acks.deadLetter(delivery.getEnvelope().getDeliveryTag(), delivery.getProps(),
                    delivery.getBody(), "TEST_REASON"), is(true));
            assertThat(consume.isOpen(), is(true));
        }
        GetResponse dead = next(Topology.DEAD_QUEUE);
        assertThat(dead.getProps().getUserId(), is((String) null));
        assertThat(String.valueOf(dead.getProps().getHeaders().get(DeadLetters.ORIGINAL_USER_HEADER)), is(edgeUser));
        assertThat(String.valueOf(dead.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)), is("TEST_REASON"));
        assertThrows(IllegalArgumentException.class, () -> new Envelope("x".repeat(5_200), null, 1, "id.L0", "id",
                "L0", 1, Instant.now(), event().payload()));
    }

    private static BrokerSettings settings(String uri) {
        return new BrokerSettings(uri, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(500),
                Duration.ofSeconds(30));
    }
}
