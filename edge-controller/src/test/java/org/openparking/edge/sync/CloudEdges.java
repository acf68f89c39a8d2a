package org.openparking.edge.sync;

import org.openparking.testing.TcpProxy;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openparking.edge.EdgeApplication;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.platform.config.ConfigInput;
import org.openparking.platform.jdbc.Database;
import org.openparking.testing.TestHttp;

/** Starts real edges for the sync tests: a temp SQLite file, port 0, quick reconnects. */
final class CloudEdges {
    static final String LOT = "lot-t";
    static final String LEVEL = "L1";
    private static final TestHttp HTTP = TestHttp.create();

    private CloudEdges() {
    }

    static EdgeSettings settings(Path dir, String amqpUri, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("EDGE_LOT_ID", LOT);
        all.putIfAbsent("EDGE_LEVEL_ID", LEVEL);
        all.put("EDGE_DB_PATH", dir.resolve("edge.db").toString());
        all.put("CLOUD_AMQP_URI", amqpUri);
        return EdgeSettings.create(EdgeSettings.load(ConfigInput.environment(all)));
    }

    static SyncSettings sync(String amqpUri) {
        return SyncSettings.defaults(amqpUri).withBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .withConfirmTimeout(Duration.ofSeconds(5));
    }

    static EdgeApplication start(Path dir, String amqpUri, Map<String, String> env, Clock clock) {
        return start(dir, amqpUri, env, clock, sync(amqpUri));
    }

    static EdgeApplication start(Path dir, String amqpUri, Map<String, String> env, Clock clock,
                                 SyncSettings sync) {
        return EdgeApplication.start(settings(dir, amqpUri, env),
                Config.just(ConfigSources.create(Map.of("port", "0", "host", "127.0.0.1"))), sync, clock);
    }

    /** A lot id of its own, so tests sharing a vhost do not share an edge queue. */
    static String uniqueLot() {
        return "lot-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    static String amqpVia(TcpProxy proxy, String vhost) {
        return "amqp://guest:guest@127.0.0.1:" + proxy.port() + "/" + vhost;
    }

    static String get(EdgeApplication edge, String path) {
        TestHttp.Response r = HTTP.get("http://127.0.0.1:" + edge.port() + "/api/v1" + path);
        if (r.status() != 200) {
            throw new IllegalStateException(path + " -> " + r);
        }
        return r.text();
    }

    /** Message ids of every outbox row, in seq order. */
    static List<String> outboxIds(Database db) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT message_id FROM outbox ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                List<String> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        });
    }

    static long count(Database db, String sql) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
