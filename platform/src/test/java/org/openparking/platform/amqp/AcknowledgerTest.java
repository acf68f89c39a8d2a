package org.openparking.platform.amqp;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.testing.ServiceLogLines;
import org.openparking.testing.TestBroker;

/** Settling deliveries against a real broker: dead letters carry their reason, transient failures back off. */
class AcknowledgerTest {
    private static final String QUEUE = "ack-test";

    private TestBroker broker;
    private BrokerLink link;
    private Channel ch;

    @BeforeEach
    void open() throws Exception {
        broker = TestBroker.create();
        link = BrokerLink.openOnce(new BrokerSettings(broker.uri(), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMillis(500), Duration.ofSeconds(30)), "ack-test", null);
        ch = link.createChannel();
        ch.confirmSelect();
        Topology.declareDeadLetters(ch);
        ch.queueDeclare(QUEUE, true, false, false, Topology.quorum(Topology.DLX_EXCHANGE));
    }

    @AfterEach
    void close() {
        link.close();
        broker.close();
    }

    private GetResponse deliver(String body) throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("m-1").deliveryMode(2)
                .headers(Map.of("seq", 7L)).build();
        ch.basicPublish("", QUEUE, props, body.getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(5_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> ch.messageCount(QUEUE) == 1);
        return ch.basicGet(QUEUE, false);
    }

    /** The requeued message, handed out again. */
    private GetResponse redelivered() {
        return await().atMost(Duration.ofSeconds(5)).until(() -> ch.basicGet(QUEUE, false), r -> r != null);
    }

    @Test
    void poisonIsDeadLetteredWithItsReasonAndTheOriginalAcked() throws Exception {
        Acknowledger acks = Acknowledger.create(ch, link.createChannel(), QUEUE);
        GetResponse d = deliver("{not json");
        assertThat(acks.deadLetter(d.getEnvelope().getDeliveryTag(), d.getProps(), d.getBody(),
                "INVALID_JSON: unexpected end"), is(true));

        await().atMost(Duration.ofSeconds(5)).until(() -> ch.messageCount(Topology.DEAD_QUEUE) == 1);
        GetResponse dead = ch.basicGet(Topology.DEAD_QUEUE, true);
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertThat(String.valueOf(headers.get(Topology.DEAD_REASON_HEADER)), is("INVALID_JSON: unexpected end"));
        assertThat(String.valueOf(headers.get("x-dead-source-queue")), is(QUEUE));
        assertThat(headers.get("seq"), is(7L));
        assertThat(dead.getProps().getMessageId(), is("m-1"));
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8), is("{not json"));
        // acked: gone from its queue, also after the channel closes
        ch.close();
        ch = link.createChannel();
        assertThat(ch.messageCount(QUEUE), is(0L));
    }

    @Test
    void transientFailuresRequeueAfterAPauseThatDoublesAndResetsAfterAnAck() throws Exception {
        List<Long> pauses = new CopyOnWriteArrayList<>();
        Acknowledger acks = Acknowledger.create(ch, link.createChannel(), QUEUE, Duration.ofMillis(100),
                Duration.ofMillis(500), pauses::add);
        GetResponse d = deliver("event");
        for (int i = 0; i < 5; i++) {
            acks.requeue(d.getEnvelope().getDeliveryTag());
            d = redelivered();
        }
        assertThat(pauses, is(List.of(100L, 200L, 400L, 500L, 500L)));
        assertThat(d.getEnvelope().isRedeliver(), is(true));
        acks.ack(d.getEnvelope().getDeliveryTag());
        assertThat(ch.messageCount(QUEUE), is(0L));

        GetResponse next = deliver("another");
        acks.requeue(next.getEnvelope().getDeliveryTag());
        assertThat(pauses.getLast(), is(100L));
        await().atMost(Duration.ofSeconds(5)).until(() -> ch.messageCount(QUEUE) == 1L);
        assertThat(ch.messageCount(Topology.DEAD_QUEUE), is(0L));
    }

    @Test
    void aDeadLetterLogsOneClippedLineWithItsDetailWhileTheHeaderKeepsTheBareReason() throws Exception {
        try (ServiceLogLines log = ServiceLogLines.install()) {
            Acknowledger acks = Acknowledger.create(ch, link.createChannel(), QUEUE);
            GetResponse d = deliver("{\"poison\":true}");
            String detail = "line one\nline two\r\n" + "x".repeat(5_000);
            int mark = log.count();
            assertThat(acks.deadLetter(d.getEnvelope().getDeliveryTag(), d.getProps(), d.getBody(),
                    "SCHEMA_VIOLATION", detail), is(true));

            List<String> lines = log.since(mark);
            assertThat(lines, hasSize(1));
            String text = lines.getFirst();
            assertThat(text, containsString(ChannelAcknowledger.class.getName() + " dead-lettering message m-1"));
            assertThat(text, containsString("SCHEMA_VIOLATION"));
            assertThat(text, containsString("line one line two"));
            assertThat(text, not(containsString("\n")));
            assertThat(text, containsString("(" + detail.length() + " chars)"));
            assertThat(text.length(), lessThan(ChannelAcknowledger.LOG_FIELD_MAX * 2));
            await().atMost(Duration.ofSeconds(5)).until(() -> ch.messageCount(Topology.DEAD_QUEUE) == 1);
            GetResponse dead = ch.basicGet(Topology.DEAD_QUEUE, true);
            assertThat(String.valueOf(dead.getProps().getHeaders().get(Topology.DEAD_REASON_HEADER)),
                    is("SCHEMA_VIOLATION"));
        }
    }
}
