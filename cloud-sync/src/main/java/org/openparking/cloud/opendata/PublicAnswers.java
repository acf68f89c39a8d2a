package org.openparking.cloud.opendata;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.openparking.cloud.auth.ClientAddress;
import org.openparking.cloud.auth.RateLimiter;
import org.openparking.platform.json.HttpErrors;
import org.openparking.protocol.Json;

/**
 * How every public answer is sent: per-address rate limit (429 with Retry-After), CORS for GET from any
 * origin, a strong ETag over the body (If-None-Match answers 304 without a body) and a short public
 * Cache-Control, so that a city portal polling every few seconds costs one hash.
 */
final class PublicAnswers {
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final HeaderName ALLOW_ORIGIN = HeaderNames.create("Access-Control-Allow-Origin");
    private static final HeaderName ALLOW_METHODS = HeaderNames.create("Access-Control-Allow-Methods");
    private static final HeaderName ALLOW_HEADERS = HeaderNames.create("Access-Control-Allow-Headers");
    private static final HeaderName EXPOSE_HEADERS = HeaderNames.create("Access-Control-Expose-Headers");
    private static final HeaderName MAX_AGE = HeaderNames.create("Access-Control-Max-Age");
    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");

    private final RateLimiter limiter;
    private final ClientAddress addresses;
    private final Duration maxAge;

    PublicAnswers(RateLimiter limiter, ClientAddress addresses, Duration maxAge) {
        this.limiter = limiter;
        this.addresses = addresses;
        this.maxAge = maxAge;
    }

    /** CORS headers, then the rate limit; false (and a 429 sent) when the caller's address is over its limit. */
    boolean admit(ServerRequest req, ServerResponse res) {
        cors(res);
        String address = addresses.of(req.remotePeer().host(), req.headers().contains(X_FORWARDED_FOR)
                ? req.headers().get(X_FORWARDED_FOR).allValues() : List.of());
        Duration wait = limiter.acquire(address);
        if (wait.isZero()) {
            return true;
        }
        res.header(RETRY_AFTER, String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000)));
        HttpErrors.send(res, Status.TOO_MANY_REQUESTS_429, "RATE_LIMITED",
                "too many requests from this address; the answers are cacheable, see Cache-Control and ETag");
        return false;
    }

    /** The answer to a CORS preflight. */
    void preflight(ServerResponse res) {
        cors(res);
        res.header(ALLOW_HEADERS, "If-None-Match");
        res.header(MAX_AGE, "86400");
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    void json(ServerRequest req, ServerResponse res, Object body) {
        try {
            send(req, res, Json.mapper().writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a public answer", e);
        }
    }

    void send(ServerRequest req, ServerResponse res, byte[] body, String contentType) {
        String etag = "\"" + sha256(body) + "\"";
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=" + maxAge.toSeconds());
        res.header(HeaderNames.VARY, "Accept-Encoding");
        boolean unchanged = req.headers().first(HeaderNames.IF_NONE_MATCH)
                .map(v -> matches(v, etag)).orElse(false);
        if (unchanged) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, contentType + "; charset=utf-8");
        res.send(body);
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static void cors(ServerResponse res) {
        res.header(ALLOW_ORIGIN, "*");
        res.header(ALLOW_METHODS, "GET, OPTIONS");
        res.header(EXPOSE_HEADERS, "ETag, Retry-After");
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
