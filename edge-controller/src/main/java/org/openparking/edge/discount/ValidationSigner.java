package org.openparking.edge.discount;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openparking.edge.ParkingException;
import org.openparking.edge.ParkingException.Kind;
import org.openparking.protocol.UpdateDiscounts;

/**
 * Self-validating merchant validations, the sibling of {@code TicketSigner}: {@code V1.<payload>.<mac>}, the payload
 * {@code lotId|validatorId|department|sessionId|kind|value|expiresEpochSecond} in URL-safe Base64, the MAC
 * HMAC-SHA256 truncated to 128 bits. The key is not the ticket key itself but derived from it for its own purpose
 * ({@code HMAC(ticketSecret, "openparking/validation/v1")}), so a ticket MAC is never a valid validation MAC and the
 * production refusal of the shipped development ticket secret covers validations too. A validation is bound to one
 * ticket's session, so it cannot be used by another car.
 */
public final class ValidationSigner {
    private static final String PREFIX = "V1";
    private static final String PURPOSE = "openparking/validation/v1";
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private final String lotId;
    private final SecretKeySpec key;

    public ValidationSigner(String lotId, String ticketSecret) {
        this.lotId = lotId;
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(ticketSecret.getBytes(StandardCharsets.UTF_8),
                "HmacSHA256"), PURPOSE.getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
    }

    /** What a valid validation carries. */
    public record Validation(String lotId, String validatorId, String department, String sessionId,
                             UpdateDiscounts.Kind kind, long value, Instant expires) {
    }

    public String sign(Validation v) {
        String payload = ENC.encodeToString(String.join("|", v.lotId(), v.validatorId(), v.department(),
                v.sessionId(), v.kind().name(), Long.toString(v.value()), Long.toString(v.expires().getEpochSecond()))
                .getBytes(StandardCharsets.UTF_8));
        return PREFIX + "." + payload + "." + ENC.encodeToString(mac(payload));
    }

    /**
     * @throws ParkingException {@code VALIDATION_INVALID} (malformed, bad signature, another lot's or another
     *                          ticket's) or {@code VALIDATION_EXPIRED}
     */
    public Validation verify(String token, String sessionId, Instant now) {
        if (token == null || token.length() > 1024) {
            throw invalid("validation missing or too long");
        }
        String[] parts = token.trim().split("\\.");
        if (parts.length != 3 || !PREFIX.equals(parts[0])) {
            throw invalid("not a validation of this system");
        }
        byte[] given;
        String[] f;
        try {
            given = DEC.decode(parts[2]);
            f = new String(DEC.decode(parts[1]), StandardCharsets.UTF_8).split("\\|", -1);
        } catch (IllegalArgumentException e) {
            throw invalid("validation is not valid Base64");
        }
        if (!MessageDigest.isEqual(given, mac(parts[1]))) {
            throw invalid("validation signature does not match");
        }
        if (f.length != 7 || !f[0].equals(lotId)) {
            throw invalid("validation belongs to another lot");
        }
        if (!f[3].equals(sessionId)) {
            throw invalid("validation was issued for another ticket");
        }
        Validation v;
        try {
            v = new Validation(f[0], f[1], f[2], f[3], UpdateDiscounts.Kind.valueOf(f[4]), Long.parseLong(f[5]),
                    Instant.ofEpochSecond(Long.parseLong(f[6])));
        } catch (IllegalArgumentException e) {
            throw invalid("validation payload is malformed");
        }
        if (now.isAfter(v.expires())) {
            throw new ParkingException(Kind.FORBIDDEN, "VALIDATION_EXPIRED", "validation expired at " + v.expires());
        }
        return v;
    }

    static ParkingException invalid(String message) {
        return new ParkingException(Kind.FORBIDDEN, "VALIDATION_INVALID", message);
    }

    private byte[] mac(String payload) {
        byte[] full = hmac(key, payload.getBytes(StandardCharsets.US_ASCII));
        byte[] truncated = new byte[MAC_BYTES];
        System.arraycopy(full, 0, truncated, 0, MAC_BYTES);
        return truncated;
    }

    private static byte[] hmac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
