package org.openparking.edge.realtime;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.staticcontent.StaticContentService;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openparking.edge.config.EdgeSettings;
import org.openparking.edge.lane.LaneView;
import org.openparking.edge.occupancy.LevelAvailability;
import org.openparking.edge.occupancy.Occupancy;
import org.openparking.platform.jdbc.Database;
import org.openparking.firmware.LevelSign;

/**
 * The level's live outputs, built once by the composition root: the feed, the heartbeat that confirms the
 * availability, the stale-aware LED sign, MQTT (when {@code mqtt.uri} is set), server-sent events and the
 * console page. See REALTIME.md.
 */
public final class Realtime implements AutoCloseable {
    /** Signs and consoles treat data older than this many heartbeats as stale (ARCHITECTURE.md). */
    public static final int STALE_AFTER_HEARTBEATS = 3;

    private final LiveFeed feed;
    private final StaleAwareSign sign;
    private final Optional<MqttPublisher> mqtt;
    private final AvailabilityStream stream;
    private final ScheduledExecutorService timer;

    private Realtime(EdgeSettings settings, Database db, Occupancy occupancy, LevelAvailability board,
                     LevelSign levelSign, Clock clock) {
        Duration heartbeat = settings.mqtt().heartbeat();
        this.feed = new LiveFeed(board);
        this.sign = new StaleAwareSign(levelSign, heartbeat.multipliedBy(STALE_AFTER_HEARTBEATS), clock);
        feed.subscribe(sign::accept);
        this.mqtt = settings.mqtt().enabled()
                ? Optional.of(new MqttPublisher(settings.mqtt(),
                new MqttTopics(settings.mqtt().topicPrefix(), settings.lotId(), settings.levelId())))
                : Optional.empty();
        mqtt.ifPresent(m -> {
            feed.subscribe(m::accept);
            m.accept(new LiveEvent.AvailabilityChanged(board.current()));
            m.start();
        });
        sign.accept(new LiveEvent.AvailabilityChanged(board.current()));
        this.stream = new AvailabilityStream(feed, heartbeat, settings.auth().maxStreams(), clock);
        // Its own thread: a stuck lane timer or database writer must not stop the sign from going stale.
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "realtime-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, heartbeat.toMillis());
        timer.scheduleAtFixedRate(new Heartbeat(db, occupancy, board, feed, clock), period, period,
                TimeUnit.MILLISECONDS);
        long check = Math.max(1, period / 2);
        timer.scheduleAtFixedRate(sign::check, check, check, TimeUnit.MILLISECONDS);
    }

    /** Starts the live outputs of a level whose board already holds the stored availability. */
    public static Realtime start(EdgeSettings settings, Database db, Occupancy occupancy, LevelAvailability board,
                                 LevelSign sign, Clock clock) {
        return new Realtime(settings, db, occupancy, board, sign, clock);
    }

    /** A lane controller's change listener. */
    public void lane(LaneView view) {
        feed.lane(view);
    }

    public LiveFeed feed() {
        return feed;
    }

    /** Connected SSE clients of the availability stream. */
    public int sseClients() {
        return stream.clientCount();
    }

    /** Whether the MQTT publisher is connected (false when MQTT is off). */
    public boolean mqttConnected() {
        return mqtt.map(MqttPublisher::connected).orElse(false);
    }

    /** SSE under {@code base}, open to all; the console at {@code /console/}, and {@code /} redirects there. */
    public void routing(HttpRouting.Builder routing, String base) {
        routing(routing, base, StreamAccess.OPEN);
    }

    /** SSE under {@code base} with the credential rules of {@code access}; the console; {@code /} redirects. */
    public void routing(HttpRouting.Builder routing, String base, StreamAccess access) {
        stream.access(access);
        routing.register(base, stream)
                .register("/console", StaticContentService.builder("web").welcomeFileName("index.html").build())
                .get("/", (req, res) -> res.status(Status.SEE_OTHER_303).header(HeaderNames.LOCATION, "/console/")
                        .send());
    }

    /** Simulates a crash for tests: the MQTT connection drops without a clean disconnect. */
    void crashMqtt() {
        mqtt.ifPresent(MqttPublisher::disconnectAbruptly);
    }

    @Override
    public void close() {
        stream.close();
        timer.shutdownNow();
        mqtt.ifPresent(MqttPublisher::close);
        feed.close();
    }
}
