package org.openparking.platform.amqp;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openparking.testing.TestBroker;

/** Confirm bookkeeping against a real broker: confirmed, unroutable, and a publisher that recovers from a bad publish. */
class ConfirmWindowTest {
    private TestBroker broker;
    private BrokerLink link;

    @BeforeEach
    void open() throws Exception {
        broker = TestBroker.create();
        link = BrokerLink.openOnce(new BrokerSettings(broker.uri(), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMillis(500), Duration.ofSeconds(30)), "window-test", null);
    }

    @AfterEach
    void close() {
        link.close();
        broker.close();
    }

    private static Outgoing message(String exchange, String key, long seq) {
        return new Outgoing(exchange, key, new AMQP.BasicProperties.Builder().headers(Map.of("seq", seq)).build(),
                ("m" + seq).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyWhatAQueueReceivedCountsAsConfirmed() throws Exception {
        Channel setup = link.createChannel();
        setup.exchangeDeclare("window.x", "direct", true);
        setup.queueDeclare("window.q", true, false, false, Topology.quorum(null));
        setup.queueBind("window.q", "window.x", "bound");

        ConfirmWindow window = ConfirmWindow.on(link.createChannel(), link.user(), () -> { });
        window.publish(1, message("window.x", "bound", 1));
        window.publish(2, message("window.x", "nobody", 2));
        window.publish(3, message("window.x", "bound", 3));
        List<ConfirmWindow.Confirmed> ok = new ArrayList<>();
        List<ConfirmWindow.Failed> bad = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ConfirmWindow.Outcomes o = window.settle(Duration.ofSeconds(30));
            ok.addAll(o.confirmed());
            bad.addAll(o.failed());
            return ok.size() + bad.size() == 3;
        });
        assertThat(ok.stream().map(ConfirmWindow.Confirmed::key).sorted().toList(), is(List.of(1L, 3L)));
        assertThat(bad.getFirst().key(), is(2L));
        assertThat(bad.getFirst().reason(), containsString("unroutable"));
        assertThat(window.outstanding(), is(0));
    }

    @Test
    void afterTheChannelIsLostNothingIsAcceptedAndEveryKeyIsReportedOnce() throws Exception {
        Channel ch = link.createChannel();
        ch.queueDeclare("window.lost", true, false, false, Topology.quorum(null));
        ConfirmWindow window = ConfirmWindow.on(ch, link.user(), () -> { });
        window.publish(1, message("", "window.lost", 1));
        ch.close();
        await().atMost(Duration.ofSeconds(5)).until(window::lost);
        assertThrows(IOException.class, () -> window.publish(2, message("", "window.lost", 2)));

        ConfirmWindow.Outcomes o = window.abandon("test");
        List<Long> keys = new ArrayList<>(o.confirmed().stream().map(ConfirmWindow.Confirmed::key).toList());
        keys.addAll(o.failed().stream().map(ConfirmWindow.Failed::key).toList());
        assertThat(keys.stream().sorted().toList(), is(List.of(1L, 2L)));
        assertThat(o.failed().stream().anyMatch(f -> f.key() == 2L), is(true));
        assertThat(window.lost(), is(false));
        assertThat(window.outstanding(), is(0));
    }

    @Test
    void aPublishThatFailsIsRetriedOnAFreshChannel() throws Exception {
        try (ConfirmingPublisher publisher = link.publisher(Duration.ofSeconds(5))) {
            // A missing exchange closes the channel: the call fails and the caller keeps its rows.
            assertThrows(IOException.class, () -> publisher.publish(List.of(message("no.such.exchange", "k", 1))));
            publisher.declare(ch -> ch.queueDeclare("publisher.q", true, false, false, Topology.quorum(null)));
            publisher.publish(List.of(message("", "publisher.q", 2)));
            assertThat(publisher.messageCount("publisher.q"), is(1L));
        }
    }
}
