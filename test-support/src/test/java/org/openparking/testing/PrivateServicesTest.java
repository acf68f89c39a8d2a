package org.openparking.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The private broker and database survive what the chaos suite does to them: a confirmed message in a
 * quorum queue is still there after kill -9 of the node and a restart on the same port, a committed row
 * after {@code pg_ctl stop -m immediate} and a restart; and close removes the node's directory.
 */
class PrivateServicesTest {

    @Test
    void aConfirmedMessageSurvivesKill9OfThePrivateNode(@TempDir Path tmp) throws Exception {
        Path dir;
        try (PrivateRabbit rabbit = PrivateRabbit.start(tmp)) {
            assertThat("never the machine's broker", rabbit.port(), is(not(5672)));
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(rabbit.uri("%2F"));
            f.setAutomaticRecoveryEnabled(false);
            try (com.rabbitmq.client.Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare("q", true, false, false, Map.of("x-queue-type", "quorum"));
            }
            rabbit.restartCleanly(); // the new queue's registration on disk (PrivateRabbit#restartCleanly)
            try (com.rabbitmq.client.Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                ch.confirmSelect();
                ch.basicPublish("", "q", new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                        "kept".getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(30_000);
            }
            rabbit.kill9();
            assertThat(rabbit.running(), is(false));
            rabbit.start();
            f.setChannelRpcTimeout(20_000);
            GetResponse got = null;
            long deadline = System.nanoTime() + 120_000_000_000L;
            // the quorum queue elects its leader again after the restart: until then a get fails
            while (got == null && System.nanoTime() < deadline) {
                try (com.rabbitmq.client.Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                    got = ch.basicGet("q", true);
                } catch (Exception e) {
                    System.out.println("get after restart: " + e);
                }
                if (got == null) {
                    Thread.sleep(500);
                }
            }
            assertThat(got == null ? null : new String(got.getBody(), StandardCharsets.UTF_8), is("kept"));
            dir = Path.of(rabbit.ctl("eval", "rabbit_mnesia:dir().").trim().replace("\"", "")).getParent();
        }
        assertThat("node directory removed: " + dir, Files.exists(dir), is(false));
    }

    @Test
    void aCommittedRowSurvivesAnImmediateStopOfThePrivateCluster(@TempDir Path tmp) throws Exception {
        String url;
        try (PrivatePostgres pg = PrivatePostgres.start(tmp)) {
            assertThat("never the machine's server", pg.port(), is(not(5432)));
            url = pg.createDatabase();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v text)");
                s.execute("INSERT INTO t VALUES ('kept')");
            }
            pg.stopImmediate();
            assertThat(pg.running(), is(false));
            pg.start();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM t")) {
                assertThat(rs.next(), is(true));
                assertThat(rs.getString(1), is("kept"));
            }
        }
        try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
            assertThat("cluster directory removed", left.count(), is(0L));
        }
    }
}
