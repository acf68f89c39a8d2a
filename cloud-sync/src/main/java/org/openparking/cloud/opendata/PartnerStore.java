package org.openparking.cloud.opendata;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.openparking.cloud.CloudException;
import org.openparking.cloud.audit.AuditLog;
import org.openparking.cloud.auth.Principal;
import org.openparking.platform.jdbc.Jdbc;

/** Partners registered for webhooks, the lots each may see, and their delivery status. */
public final class PartnerStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final boolean allowHttpLocalhost;

    public PartnerStore(DataSource dataSource, boolean allowHttpLocalhost) {
        this.dataSource = dataSource;
        this.allowHttpLocalhost = allowHttpLocalhost;
    }

    /** A registration request. */
    public record Registration(String partnerId, String url, List<String> lots) {
        public Registration {
            if (partnerId == null || !partnerId.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("partnerId is required: 1 to 64 of A-Z a-z 0-9 _ . -");
            }
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("url is required");
            }
            if (lots == null || lots.isEmpty() || lots.size() > 1000 || lots.stream().anyMatch(l -> l == null
                    || l.isBlank())) {
                throw new IllegalArgumentException("lots is required: 1 to 1000 lot ids");
            }
            lots = List.copyOf(new java.util.TreeSet<>(lots));
        }
    }

    /** The answer to a registration: the secret is shown this once. */
    public record Registered(String partnerId, String url, List<String> lots, String secret, String signature) {
    }

    /** A partner and how its deliveries are going. */
    public record Status(String partnerId, String operatorId, String url, List<String> lots, long delivered,
                         long pending, long dead, Instant lastDeliveredAt, Instant lastFailureAt, String lastError) {
    }

    public Registered register(Registration r, Principal by) throws SQLException {
        URI url = checkedUrl(r.url());
        for (String lot : r.lots()) {
            if (!by.sees(lot)) {
                // The same answer as for a lot that does not exist: another tenant's lots are not confirmed.
                throw CloudException.notFound("NOT_FOUND", "no such lot " + lot);
            }
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return Jdbc.inTransaction(dataSource, c -> {
            int inserted = Jdbc.update(c, """
                    INSERT INTO partners (partner_id, operator_id, url, secret, created_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (partner_id) DO NOTHING""", r.partnerId(), by.operatorId(), url.toString(), secret,
                    by.username());
            if (inserted == 0) {
                throw CloudException.conflict("PARTNER_EXISTS", "partner " + r.partnerId() + " is registered already");
            }
            for (String lot : r.lots()) {
                Jdbc.update(c, "INSERT INTO partner_lots (partner_id, lot_id) VALUES (?, ?)", r.partnerId(), lot);
                AuditLog.append(c, by, "partner.register", r.partnerId(), lot, null,
                        new AuditDetail(url.toString()));
            }
            return new Registered(r.partnerId(), url.toString(), r.lots(), secret,
                    "Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + \".\" + body)>");
        });
    }

    private record AuditDetail(String url) {
    }

    private URI checkedUrl(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url is not a URL: " + e.getMessage());
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("url must be https://host/path, without user info or fragment");
        }
        boolean local = "http".equals(uri.getScheme()) && Set.of("127.0.0.1", "localhost").contains(uri.getHost());
        if (!"https".equals(uri.getScheme()) && !(local && allowHttpLocalhost)) {
            throw new IllegalArgumentException("url must use https"
                    + (local ? " (http://127.0.0.1 only with webhooks.allow-http-localhost, in tests and development)"
                    : ""));
        }
        if (!allowHttpLocalhost && internal(uri.getHost())) {
            // cloud-sync must not be made to POST into its own network on an operator's word.
            throw new IllegalArgumentException("url must not name a loopback, private or link-local address");
        }
        return uri;
    }

    /** A literal address (or localhost) inside the deployment's own network; host names are not resolved here. */
    private static boolean internal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(h);
            return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                    || (a.getAddress().length == 16 && (a.getAddress()[0] & 0xfe) == 0xfc);
        } catch (java.net.UnknownHostException e) {
            return true;
        }
    }

    /** The partners the caller's tenant registered (every partner for a platform user). */
    public List<Status> list(Principal caller) throws SQLException {
        return Jdbc.read(dataSource, c -> Jdbc.query(c, """
                SELECT p.partner_id, p.operator_id, p.url,
                       (SELECT array_agg(lot_id ORDER BY lot_id) FROM partner_lots l WHERE l.partner_id = p.partner_id),
                       count(d.delivered_at), count(*) FILTER (WHERE d.delivery_id IS NOT NULL
                           AND d.delivered_at IS NULL AND d.dead_at IS NULL),
                       count(d.dead_at), max(d.delivered_at),
                       max(d.failed_at),
                       (SELECT last_error FROM webhook_deliveries e WHERE e.partner_id = p.partner_id
                           AND e.last_error IS NOT NULL ORDER BY e.delivery_id DESC LIMIT 1)
                FROM partners p LEFT JOIN webhook_deliveries d ON d.partner_id = p.partner_id
                WHERE ?::text IS NULL OR p.operator_id = ?
                GROUP BY p.partner_id ORDER BY p.partner_id""",
                rs -> new Status(rs.getString(1), rs.getString(2), rs.getString(3),
                        List.of((String[]) rs.getArray(4).getArray()), rs.getLong(5), rs.getLong(6), rs.getLong(7),
                        Jdbc.instant(rs.getTimestamp(8)), Jdbc.instant(rs.getTimestamp(9)), rs.getString(10)),
                caller.operatorId(), caller.operatorId()));
    }
}
