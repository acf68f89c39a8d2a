package org.openparking.cloud.command;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.openparking.cloud.CloudSettings;
import org.openparking.cloud.Main;
import org.openparking.platform.amqp.ConfirmingPublisher;
import org.openparking.platform.amqp.Topology;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.platform.jdbc.PooledDataSource;
import org.openparking.protocol.Envelope;
import org.openparking.protocol.MessageCodec;
import org.openparking.protocol.OpenBarrier;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;

/**
 * The resend queue with one command in it that can never be published (its edge's queue exists with other
 * arguments, so declaring it fails): the commands behind it are still re-published, and the bad one is logged at
 * WARNING with its reason and stays unsent with its error recorded. Real PostgreSQL and RabbitMQ.
 */
class CommandResendTest {

    @Test
    void oneCommandThatCannotBePublishedDoesNotHoldBackTheOthers() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(OutgoingMessages.class.getName());
        log.addHandler(capture);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String badLot = "bad" + run;
        String goodLot = "good" + run;
        try (TestBroker broker = TestBroker.create(); TestDatabase database = TestDatabase.create()) {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(broker.uri());
            try (Connection amqp = f.newConnection("resend-test");
                 PooledDataSource dataSource = PooledDataSource.postgres(
                         CloudSettings.defaults().db().with(database.url(), 4), "cloud-sync");
                 ConfirmingPublisher publisher = ConfirmingPublisher.lazy(
                         CloudSettings.defaults().broker().withUri(broker.uri()), "resend-test", Duration.ofSeconds(10))) {
                dataSource.migrate(Main.MIGRATIONS);
                try (Channel ch = amqp.createChannel()) {
                    // A classic queue where a quorum queue belongs: every declaration of it is refused.
                    ch.queueDeclare(Topology.edgeQueue(Envelope.edgeId(badLot, "L0")), true, false, false, Map.of());
                }
                OutgoingMessages out = new OutgoingMessages(dataSource, publisher, Clock.systemUTC());
                List<String> ids = new ArrayList<>();
                Jdbc.inTransaction(dataSource, c -> {
                    ids.add(out.toEdge(c, badLot, "L0", new OpenBarrier("in-1", "stuck", "op"), "op").commandId());
                    ids.add(out.toEdge(c, goodLot, "L0", new OpenBarrier("in-1", "fine", "op"), "op").commandId());
                    ids.add(out.toEdge(c, goodLot, "L0", new OpenBarrier("out-1", "fine", "op"), "op").commandId());
                    return null;
                });

                assertThat(out.republishUnsent(0, 100), is(2));

                List<String> delivered = new ArrayList<>();
                try (Channel ch = amqp.createChannel()) {
                    for (GetResponse r; (r = ch.basicGet(Topology.edgeQueue(Envelope.edgeId(goodLot, "L0")), true))
                            != null; ) {
                        delivered.add(MessageCodec.decode(r.getBody()).id());
                    }
                }
                assertThat(delivered, is(ids.subList(1, 3)));
                List<String> unsent = Jdbc.read(dataSource, c -> Jdbc.query(c,
                        "SELECT command_id, last_error FROM commands WHERE sent_at IS NULL",
                        rs -> rs.getString(1) + " " + rs.getString(2)));
                assertThat(unsent, hasSize(1));
                assertThat(unsent.getFirst(), containsString(ids.getFirst()));
                assertThat(unsent.getFirst(), containsString("PRECONDITION_FAILED"));
                LogRecord warning = logged.stream().filter(r -> r.getLevel() == Level.WARNING
                        && r.getMessage().contains(ids.getFirst())).findFirst().orElse(null);
                assertThat(warning, notNullValue());
                assertThat(warning.getMessage(), containsString("PRECONDITION_FAILED"));
            }
        } finally {
            log.removeHandler(capture);
        }
    }
}
