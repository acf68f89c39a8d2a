package org.openparking.cloud;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.Map;
import org.openparking.cloud.ingest.ConsumerSettings;
import org.openparking.platform.amqp.Topology;
import org.openparking.protocol.Json;
import org.openparking.testing.TestBroker;
import org.openparking.testing.TestDatabase;
import org.openparking.testing.TestHttp;

/**
 * What every cloud-sync test fixture stands on: a fresh RabbitMQ vhost and PostgreSQL database, a cloud-sync
 * started on them (by the fixture's {@link Launch}, with its consumer settings) and connected to the broker, a
 * publishing channel with confirms that plays the edges, and an HTTP client. {@link #close} releases all of
 * it, as does a start that fails half-way (the database, its connection pool and the vhost are not left behind).
 */
public final class TestCloud implements AutoCloseable {
    /** Starts cloud-sync with these settings (a fixture's auth, open-data and hook choices). */
    @FunctionalInterface
    public interface Launch {
        Main.Running start(CloudSettings settings) throws Exception;
    }

    public final TestBroker broker;
    public final TestDatabase database;
    public final CloudSettings settings;
    public final TestHttp http = TestHttp.create();
    private final Launch launch;
    private Main.Running app;
    private Connection edgeConnection;
    private Channel edge;

    private TestCloud(TestBroker broker, TestDatabase database, CloudSettings settings, Launch launch) {
        this.broker = broker;
        this.database = database;
        this.settings = settings;
        this.launch = launch;
    }

    /** The test settings: a free port, this vhost and database, a pool of 8, the given consumer settings. */
    public static CloudSettings settings(TestBroker broker, TestDatabase database, int prefetch, int consumers,
                                         int maxBatch) {
        CloudSettings d = CloudSettings.defaults();
        return new CloudSettings(0, d.db().with(database.url(), 8), d.broker().withUri(broker.uri()),
                new ConsumerSettings(prefetch, consumers, maxBatch, d.ingest().requeueBackoffMax()),
                Duration.ofSeconds(120), Duration.ofSeconds(1), d.metricsRefresh());
    }

    /** A started cloud-sync with consumer settings {@code prefetch, consumers, maxBatch}; edges publish as {@code edgeName}. */
    public static TestCloud start(int prefetch, int consumers, int maxBatch, String edgeName, Launch launch)
            throws Exception {
        TestBroker broker = TestBroker.create();
        TestDatabase database;
        try {
            database = TestDatabase.create();
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        TestCloud cloud = new TestCloud(broker, database, settings(broker, database, prefetch, consumers, maxBatch),
                launch);
        try {
            cloud.startApp();
            cloud.edgeConnection = connect(broker, edgeName);
            cloud.edge = cloud.edgeConnection.createChannel();
            cloud.edge.confirmSelect();
            Topology.declareEdgePublishing(cloud.edge);
            Topology.declareCloudSync(cloud.edge);
            return cloud;
        } catch (Exception | Error e) {
            try {
                cloud.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public static Connection connect(TestBroker broker, String name) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        return f.newConnection(name);
    }

    /** Starts cloud-sync (again: on the same database and broker, as a deploy does) and waits for its consumer. */
    public Main.Running startApp() throws Exception {
        app = launch.start(settings);
        await().atMost(Duration.ofSeconds(20)).until(app.consumer()::isConnected);
        return app;
    }

    /** Stops cloud-sync; what edges publish meanwhile waits in the broker. */
    public void stopApp() {
        Main.Running running = app;
        app = null;
        if (running != null) {
            running.close();
        }
    }

    public Main.Running app() {
        return app;
    }

    /** The edges' publishing channel (confirms on). */
    public Channel edge() {
        return edge;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    /** Logs in over HTTP, as the portal does; the bearer token. */
    public String login(String username, String password) throws Exception {
        TestHttp.Response r = http.post(baseUrl() + "/api/v1/auth/login",
                Json.mapper().writeValueAsString(Map.of("username", username, "password", password)));
        if (r.status() != 200) {
            throw new IllegalStateException("login of " + username + " failed: " + r.status() + " " + r.text());
        }
        return r.body().get("token").asText();
    }

    @Override
    public void close() throws Exception {
        try {
            if (edgeConnection != null) {
                edgeConnection.abort();
            }
            http.close();
            stopApp();
        } finally {
            try {
                database.close();
            } finally {
                broker.close();
            }
        }
    }
}
