package org.openparking.cloud.auth;

import static org.openparking.platform.config.ConfigValues.decimal;
import static org.openparking.platform.config.ConfigValues.duration;
import static org.openparking.platform.config.ConfigValues.integer;
import static org.openparking.platform.config.ConfigValues.longInteger;
import static org.openparking.platform.config.ConfigValues.text;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.List;
import org.openparking.platform.config.ParkingConfig;

/**
 * Authentication and limits ({@code auth.*}, {@code limits.*}).
 *
 * @param issuer                 {@code iss} of issued tokens, checked on every request
 * @param audience               {@code aud} of issued tokens, checked on every request
 * @param tokenTtl               token lifetime ({@code auth.token-ttl}, at most 12 hours)
 * @param clockSkew              accepted clock difference for exp/nbf ({@code auth.clock-skew})
 * @param keyFile                PEM (EC P-256 private key) or JWK file; blank: a key pair is generated at
 *                               start and does not survive a restart (every token becomes invalid)
 * @param bootstrapAdminUser     platform admin created at start if absent ({@code auth.bootstrap-admin-username})
 * @param bootstrapAdminPassword its password; blank: no bootstrap admin (there is no default password)
 * @param loginPerMinute         login attempts per username and client address per minute
 * @param loginPerAddressPerMinute login attempts per client address per minute, whatever the usernames
 *                               ({@code limits.login-per-address-per-minute}): guessing across many
 *                               usernames from one address is refused before any password is hashed
 * @param apiPerSecond           sustained API requests per token per second
 * @param apiBurst               API requests a token may make at once
 * @param maxBodyBytes           largest accepted request body (413 above)
 * @param trustedProxies         addresses or CIDR ranges of proxies whose {@code X-Forwarded-For} names the
 *                               client for the login limit ({@code limits.trusted-proxies}, comma-separated;
 *                               empty: the header is ignored)
 */
public record AuthSettings(String issuer, String audience, Duration tokenTtl, Duration clockSkew, String keyFile,
                           String bootstrapAdminUser, String bootstrapAdminPassword, int loginPerMinute,
                           int loginPerAddressPerMinute, double apiPerSecond, int apiBurst, long maxBodyBytes, List<String> trustedProxies) {

    public AuthSettings {
        if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("auth.issuer and auth.audience are required");
        }
        if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(Duration.ofHours(12)) > 0) {
            throw new IllegalArgumentException("auth.token-ttl must be positive and at most PT12H, was " + tokenTtl);
        }
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("auth.clock-skew must not be negative, was " + clockSkew);
        }
        if (loginPerMinute < 1 || loginPerAddressPerMinute < 1 || apiPerSecond <= 0 || apiBurst < 1 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("limits must be positive (max-body-bytes at least 1024)");
        }
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        ClientAddress.trusting(trustedProxies); // refuses a bad entry at start-up, with its value
    }

    /** Maps the {@code auth} and {@code limits} sections (every default is in application.yaml). */
    public static AuthSettings create(Config config) {
        Config auth = config.get("auth");
        Config limits = config.get("limits");
        return new AuthSettings(text(auth, "issuer"), text(auth, "audience"), duration(auth, "token-ttl"),
                duration(auth, "clock-skew"), text(auth, "key-file"), text(auth, "bootstrap-admin-username"),
                text(auth, "bootstrap-admin-password"), integer(limits, "login-per-minute"),
                integer(limits, "login-per-address-per-minute"),
                decimal(limits, "api-per-second"), integer(limits, "api-burst"), longInteger(limits, "max-body-bytes"),
                java.util.Arrays.stream(text(limits, "trusted-proxies").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** The defaults of application.yaml: a generated key, no bootstrap admin (tests and embedded use). */
    public static AuthSettings defaults() {
        return create(ParkingConfig.defaults());
    }

    public AuthSettings withLimits(int loginPerMinute, double apiPerSecond, int apiBurst, long maxBodyBytes) {
        return new AuthSettings(issuer, audience, tokenTtl, clockSkew, keyFile, bootstrapAdminUser,
                bootstrapAdminPassword, loginPerMinute, loginPerAddressPerMinute, apiPerSecond, apiBurst, maxBodyBytes,
                trustedProxies);
    }

    public AuthSettings withTrustedProxies(List<String> proxies) {
        return new AuthSettings(issuer, audience, tokenTtl, clockSkew, keyFile, bootstrapAdminUser,
                bootstrapAdminPassword, loginPerMinute, loginPerAddressPerMinute, apiPerSecond, apiBurst, maxBodyBytes,
                proxies);
    }

    public AuthSettings withLoginPerAddressPerMinute(int perAddress) {
        return new AuthSettings(issuer, audience, tokenTtl, clockSkew, keyFile, bootstrapAdminUser,
                bootstrapAdminPassword, loginPerMinute, perAddress, apiPerSecond, apiBurst, maxBodyBytes,
                trustedProxies);
    }
}
