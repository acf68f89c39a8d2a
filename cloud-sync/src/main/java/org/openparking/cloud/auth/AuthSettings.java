package org.openparking.cloud.auth;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * Authentication and limits ({@code auth.*}, {@code limits.*}).
 *
 * @param issuer                 {@code iss} of issued tokens, checked on every request
 * @param audience               {@code aud} of issued tokens, checked on every request
 * @param tokenTtl               token lifetime ({@code auth.token-ttl-seconds})
 * @param clockSkew              accepted clock difference for exp/nbf
 * @param keyFile                PEM (EC P-256 private key) or JWK file; blank: a key pair is generated at
 *                               start and does not survive a restart (every token becomes invalid)
 * @param bootstrapAdminUser     platform admin created at start if absent ({@code auth.bootstrap-admin-username})
 * @param bootstrapAdminPassword its password; blank: no bootstrap admin (there is no default password)
 * @param loginPerMinute         login attempts per username and client address per minute
 * @param apiPerSecond           sustained API requests per token per second
 * @param apiBurst               API requests a token may make at once
 * @param maxBodyBytes           largest accepted request body (413 above)
 * @param trustedProxies         addresses or CIDR ranges of proxies whose {@code X-Forwarded-For} names the
 *                               client for the login limit ({@code limits.trusted-proxies}, comma-separated;
 *                               empty: the header is ignored)
 */
public record AuthSettings(String issuer, String audience, Duration tokenTtl, Duration clockSkew, String keyFile,
                           String bootstrapAdminUser, String bootstrapAdminPassword, int loginPerMinute,
                           double apiPerSecond, int apiBurst, long maxBodyBytes, List<String> trustedProxies) {

    public static final List<String> KEYS = List.of("auth.issuer", "auth.audience", "auth.token-ttl-seconds",
            "auth.key-file", "auth.bootstrap-admin-username", "auth.bootstrap-admin-password",
            "limits.login-per-minute", "limits.api-per-second", "limits.api-burst", "limits.max-body-bytes",
            "limits.trusted-proxies");

    public AuthSettings {
        if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("auth.issuer and auth.audience are required");
        }
        if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(Duration.ofHours(12)) > 0) {
            throw new IllegalArgumentException("auth.token-ttl-seconds must be between 1 and 43200");
        }
        if (loginPerMinute < 1 || apiPerSecond <= 0 || apiBurst < 1 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("limits must be positive (max-body-bytes at least 1024)");
        }
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        ClientAddress.trusting(trustedProxies); // refuses a bad entry at start-up, with its value
    }

    public static AuthSettings from(Config config) {
        return new AuthSettings(
                config.get("auth.issuer").asString().orElse("openparking-cloud"),
                config.get("auth.audience").asString().orElse("openparking-api"),
                Duration.ofSeconds(config.get("auth.token-ttl-seconds").asLong().orElse(900L)),
                Duration.ofSeconds(30),
                config.get("auth.key-file").asString().orElse(""),
                config.get("auth.bootstrap-admin-username").asString().orElse("admin"),
                config.get("auth.bootstrap-admin-password").asString().orElse(""),
                config.get("limits.login-per-minute").asInt().orElse(5),
                config.get("limits.api-per-second").asDouble().orElse(20.0),
                config.get("limits.api-burst").asInt().orElse(100),
                config.get("limits.max-body-bytes").asLong().orElse(65_536L),
                java.util.Arrays.stream(config.get("limits.trusted-proxies").asString().orElse("").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** Test and embedded defaults: generated key, no bootstrap admin. */
    public static AuthSettings defaults() {
        return new AuthSettings("openparking-cloud", "openparking-api", Duration.ofMinutes(15), Duration.ofSeconds(30),
                "", "admin", "", 5, 20.0, 100, 65_536L, List.of());
    }

    public AuthSettings withLimits(int loginPerMinute, double apiPerSecond, int apiBurst, long maxBodyBytes) {
        return new AuthSettings(issuer, audience, tokenTtl, clockSkew, keyFile, bootstrapAdminUser,
                bootstrapAdminPassword, loginPerMinute, apiPerSecond, apiBurst, maxBodyBytes, trustedProxies);
    }

    public AuthSettings withTrustedProxies(List<String> proxies) {
        return new AuthSettings(issuer, audience, tokenTtl, clockSkew, keyFile, bootstrapAdminUser,
                bootstrapAdminPassword, loginPerMinute, apiPerSecond, apiBurst, maxBodyBytes, proxies);
    }
}
