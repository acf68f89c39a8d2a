package org.openparking.cloud.opendata;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.openparking.platform.jdbc.Jdbc;
import org.openparking.protocol.Json;

/**
 * Partner webhooks, in two steps per poll. Produce: the levels of each partner's lots whose version moved on
 * are compared with what the partner was last told ({@code webhook_state}); a full / almost-full / reopened /
 * closed transition is queued at once, an {@code availability.changed} at most once per coalesce interval, both
 * in one transaction with the new state. Ingest is never waited on: this reads the {@code levels} table
 * ingest writes. Deliver: the oldest undelivered row of each partner (so a partner sees its events in order)
 * is POSTed, signed as Stripe signs ({@code Webhook-Signature: t=...,v1=HMAC-SHA256(secret, t.body)}); a failure
 * is retried after a doubling pause and the row is dead after {@code max-attempts}, so one partner's outage
 * never holds up another's, nor the next event after a dead one.
 */
public final class WebhookWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookWorker.class.getName());

    private final DataSource dataSource;
    private final WebhookSettings settings;
    private final double almostFullRatio;
    private final Clock clock;
    private final HttpClient http;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private ScheduledExecutorService timer;

    public WebhookWorker(DataSource dataSource, WebhookSettings settings, double almostFullRatio, Clock clock) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.almostFullRatio = almostFullRatio;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The body of every delivery. */
    public record Event(String id, String type, String lotId, String levelId, int capacity, int free,
                        String occupancy, long version, Instant observedAt, Instant createdAt) {
    }

    public WebhookWorker start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "webhooks");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        try {
            produce();
            deliver();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "webhooks: poll failed (retried next interval)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Seen(String partnerId, String lotId, String levelId, int capacity, int free, String status,
                        long version, Instant observedAt, Long sentVersion, Instant changedAt, String occupancy) {
    }

    /** Queues the events of levels that changed since each partner was last told; returns how many. */
    int produce() throws SQLException {
        Instant now = clock.instant();
        return Jdbc.inTransaction(dataSource, c -> {
            List<Seen> seen = Jdbc.query(c, """
                    SELECT p.partner_id, v.lot_id, v.level_id, v.capacity, v.free, v.status, v.version, v.updated_at,
                           s.changed_version, s.changed_at, s.occupancy
                    FROM partner_lots p JOIN levels v ON v.lot_id = p.lot_id
                    LEFT JOIN webhook_state s ON s.partner_id = p.partner_id AND s.lot_id = v.lot_id
                                             AND s.level_id = v.level_id
                    WHERE s.partner_id IS NULL OR v.version > s.changed_version
                    ORDER BY p.partner_id, v.lot_id, v.level_id
                    FOR UPDATE OF p""",
                    rs -> new Seen(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                            rs.getString(6), rs.getLong(7), Jdbc.instant(rs.getTimestamp(8)),
                            rs.getObject(9) == null ? null : rs.getLong(9), Jdbc.instant(rs.getTimestamp(10)),
                            rs.getString(11)));
            int queued = 0;
            for (Seen s : seen) {
                int capacity = Math.max(0, s.capacity());
                int free = PublicAvailability.clamp(s.free(), capacity);
                String occupancy = occupancy(capacity, free, s.status());
                String transition = transition(s.occupancy(), occupancy);
                if (transition != null) {
                    queued += queue(c, s, transition, capacity, free, occupancy, now);
                }
                boolean due = s.sentVersion() == null
                        || !now.isBefore(s.changedAt().plus(settings.coalesceInterval()));
                if (due) {
                    queued += queue(c, s, "availability.changed", capacity, free, occupancy, now);
                }
                Jdbc.update(c, """
                        INSERT INTO webhook_state (partner_id, lot_id, level_id, changed_version, changed_at, occupancy)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (partner_id, lot_id, level_id) DO UPDATE SET occupancy = EXCLUDED.occupancy,
                            changed_version = CASE WHEN ? THEN EXCLUDED.changed_version
                                                   ELSE webhook_state.changed_version END,
                            changed_at = CASE WHEN ? THEN EXCLUDED.changed_at ELSE webhook_state.changed_at END""",
                        s.partnerId(), s.lotId(), s.levelId(), s.version(), now, occupancy, due, due);
            }
            return queued;
        });
    }

    private int queue(Connection c, Seen s, String type, int capacity, int free, String occupancy, Instant now)
            throws SQLException {
        String id = s.partnerId() + ":" + s.lotId() + ":" + s.levelId() + ":" + s.version() + ":" + type;
        String body;
        try {
            body = Json.mapper().writeValueAsString(new Event(id, type, s.lotId(), s.levelId(), capacity, free,
                    occupancy, s.version(), s.observedAt(), now));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return Jdbc.update(c, """
                INSERT INTO webhook_deliveries (partner_id, event_id, type, lot_id, level_id, body, created_at,
                                                next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""",
                s.partnerId(), id, type, s.lotId(), s.levelId(), body, now, now);
    }

    private String occupancy(int capacity, int free, String status) {
        if ("CLOSED".equals(status)) {
            return "CLOSED";
        }
        if (free == 0) {
            return "FULL";
        }
        return free <= capacity * almostFullRatio ? "ALMOST_FULL" : "AVAILABLE";
    }

    /** The transition event from what the partner was last told to now; null for none (or a first sighting). */
    static String transition(String before, String now) {
        if (before == null || before.equals(now)) {
            return null;
        }
        boolean wasShut = before.equals("FULL") || before.equals("CLOSED");
        return switch (now) {
            case "FULL" -> "availability.full";
            case "CLOSED" -> "availability.closed";
            case "ALMOST_FULL" -> wasShut ? "availability.reopened" : "availability.almost-full";
            default -> wasShut ? "availability.reopened" : null;
        };
    }

    private record Due(long deliveryId, String partnerId, String eventId, String body, int attempts,
                       Instant nextAttemptAt, String url, String secret) {
    }

    /** Sends the due head of each partner's queue; returns how many were delivered. */
    int deliver() throws SQLException, InterruptedException {
        Instant now = clock.instant();
        List<Due> heads = Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT DISTINCT ON (d.partner_id) d.delivery_id, d.partner_id, d.event_id, d.body, d.attempts,
                       d.next_attempt_at, p.url, p.secret
                FROM webhook_deliveries d JOIN partners p ON p.partner_id = d.partner_id
                WHERE d.delivered_at IS NULL AND d.dead_at IS NULL
                ORDER BY d.partner_id, d.delivery_id""",
                rs -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                        Jdbc.instant(rs.getTimestamp(6)), rs.getString(7), rs.getString(8))));
        List<Future<Boolean>> sent = new ArrayList<>();
        for (Due d : heads) {
            if (!d.nextAttemptAt().isAfter(now)) {
                sent.add(senders.submit(() -> send(d)));
            }
        }
        int delivered = 0;
        for (Future<Boolean> f : sent) {
            try {
                delivered += f.get() ? 1 : 0;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.log(Level.WARNING, "webhooks: delivery failed unexpectedly", e.getCause());
            }
        }
        return delivered;
    }

    private boolean send(Due d) throws SQLException {
        long t = clock.instant().getEpochSecond();
        String signature = "t=" + t + ",v1=" + sign(d.secret(), t + "." + d.body());
        Integer status = null;
        String error;
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("Webhook-Id", d.eventId())
                    .header("Webhook-Signature", signature)
                    .header("Webhook-Attempt", Integer.toString(d.attempts() + 1))
                    .POST(HttpRequest.BodyPublishers.ofString(d.body(), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.discarding());
            status = r.statusCode();
            error = status / 100 == 2 ? null : "HTTP " + status;
        } catch (java.io.IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Instant now = clock.instant();
        Integer code = status;
        if (error == null) {
            Jdbc.inTransaction(dataSource, c -> Jdbc.update(c, """
                    UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, last_status = ?
                    WHERE delivery_id = ? AND delivered_at IS NULL""", now, code, d.deliveryId()));
            return true;
        }
        int attempts = d.attempts() + 1;
        boolean dead = attempts >= settings.maxAttempts();
        String reason = error.length() > 300 ? error.substring(0, 300) : error;
        Jdbc.inTransaction(dataSource, c -> Jdbc.update(c, """
                UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?, failed_at = ?,
                    next_attempt_at = ?, dead_at = ?
                WHERE delivery_id = ? AND delivered_at IS NULL""", attempts, code, reason, now,
                now.plus(settings.backoff(attempts)), dead ? now : null, d.deliveryId()));
        if (dead) {
            LOG.warning(() -> "webhooks: delivery " + d.eventId() + " to partner " + d.partnerId() + " is dead after "
                    + attempts + " attempts (" + reason + ")");
        }
        return false;
    }

    /** Hex HMAC-SHA256 of {@code payload} under {@code secret}: what a partner recomputes to check a delivery. */
    public static String sign(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        senders.shutdownNow();
    }
}
