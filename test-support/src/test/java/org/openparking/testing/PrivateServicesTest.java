package org.openparking.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
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
import java.util.List;
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

    /**
     * kill -9 of the node leading a quorum queue of a 3-node private cluster, under a client given every node:
     * the confirmed messages are all still there (the other two members elect a leader), the client recovers on
     * another node, and the killed node restarts on its ports and data and rejoins. A queue declared while a
     * node is down gets its member there once the node is back.
     */
    @Test
    void aQuorumQueueOfThePrivateClusterSurvivesKill9OfItsLeader(@TempDir Path tmp) throws Exception {
        Path dir;
        try (PrivateRabbitCluster cluster = PrivateRabbitCluster.start(tmp, 3)) {
            List<Address> all = cluster.addresses().stream().map(Address::parseAddress).toList();
            assertThat("never the machine's broker", all.stream().map(Address::getPort).toList(), not(hasItem(5672)));
            ConnectionFactory viaNode1 = new ConnectionFactory();
            viaNode1.setUri(cluster.uri("%2F"));
            viaNode1.setPort(cluster.node(1).port());
            try (com.rabbitmq.client.Connection c = viaNode1.newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare("q", true, false, false, Map.of("x-queue-type", "quorum")); // node 1 leads it
            }
            String members = cluster.ctl("list_queues", "-q", "--no-table-headers", "name", "members");
            System.out.println("members: " + members.trim());
            assertThat("3 replicas by default", members.split("@localhost", -1).length - 1, is(3));
            assertThat(cluster.leadingMost("/"), is(1));

            ConnectionFactory f = new ConnectionFactory();
            f.setUri(cluster.uri("%2F"));
            f.setAutomaticRecoveryEnabled(true);
            f.setNetworkRecoveryInterval(500);
            f.setChannelRpcTimeout(20_000);
            try (com.rabbitmq.client.Connection c = f.newConnection(all, "cluster-test")) {
                Channel ch = c.createChannel();
                ch.confirmSelect();
                for (int i = 0; i < 100; i++) {
                    ch.basicPublish("", "q", new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                            ("m" + i).getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(30_000);
                long pid = cluster.node(1).pid();
                assertThat(pid > 0, is(true));
                cluster.kill9(1);
                assertThat(cluster.node(1).running(), is(false));
                assertThat(ProcessHandle.of(pid).isPresent(), is(false));

                long deadline = System.nanoTime() + 120_000_000_000L;
                int got = 0;
                while (got < 100 && System.nanoTime() < deadline) {
                    try {
                        Channel get = c.createChannel();
                        GetResponse r;
                        while ((r = get.basicGet("q", true)) != null) {
                            got++;
                        }
                        get.close();
                    } catch (Exception e) {
                        System.out.println("get while node 1 is down: " + e);
                        Thread.sleep(500);
                    }
                    if (got < 100) {
                        Thread.sleep(200);
                    }
                }
                assertThat("every confirmed message, led by the killed node, is still there", got, is(100));
            }
            try (com.rabbitmq.client.Connection c = f.newConnection(all, "declare-while-down");
                 Channel ch = c.createChannel()) {
                ch.queueDeclare("declared-while-down", true, false, false, Map.of("x-queue-type", "quorum"));
            }
            System.out.println("while node 1 is down: " + cluster.ctl("list_queues", "-q", "--no-table-headers",
                    "name", "members", "online").trim());
            cluster.restart(1);
            assertThat(cluster.node(1).running(), is(true));
            assertThat("the same port", cluster.node(1).port(), is(all.get(1).getPort()));
            String online = "";
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                online = cluster.ctl("list_queues", "-q", "--no-table-headers", "name", "online").trim();
                if (online.lines().allMatch(l -> l.split("@localhost", -1).length - 1 == 3)) {
                    break;
                }
                Thread.sleep(1000);
            }
            System.out.println("after node 1 rejoined: " + cluster.ctl("list_queues", "-q", "--no-table-headers",
                    "name", "members", "online", "leader").trim());
            assertThat("every member online again: " + online,
                    online.lines().allMatch(l -> l.split("@localhost", -1).length - 1 == 3), is(true));
            dir = cluster.dir();
        }
        assertThat("cluster directory removed: " + dir, Files.exists(dir), is(false));
    }
}
