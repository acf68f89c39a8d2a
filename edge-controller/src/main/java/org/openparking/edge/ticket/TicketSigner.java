package org.openparking.edge.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Self-validating tickets (offline-first rule 4): {@code T1.<payload>.<mac>}, where the payload is
 * {@code lotId|sessionId|entryEpochSecond} in URL-safe Base64 and the MAC is HMAC-SHA256 over the
 * payload with the lot key, truncated to 128 bits to keep the QR code small. Any gate of the lot
 * verifies it with no network.
 */
public final class TicketSigner {
    private static final String PREFIX = "T1";
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private final String lotId;
    private final SecretKeySpec key;

    public TicketSigner(String lotId, String secret) {
        this.lotId = lotId;
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** What a valid ticket carries. */
    public record Ticket(String lotId, String sessionId, Instant entryTime) {
    }

    public String sign(String sessionId, Instant entryTime) {
        String payload = ENC.encodeToString((lotId + "|" + sessionId + "|" + entryTime.getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        return PREFIX + "." + payload + "." + ENC.encodeToString(mac(payload));
    }

    /** @throws InvalidTicketException naming why: malformed, bad signature, or another lot's ticket */
    public Ticket verify(String ticket) {
        if (ticket == null || ticket.length() > 512) {
            throw new InvalidTicketException(InvalidTicketException.Kind.MALFORMED, "ticket missing or too long");
        }
        String[] parts = ticket.trim().split("\\.");
        if (parts.length != 3 || !PREFIX.equals(parts[0])) {
            throw new InvalidTicketException(InvalidTicketException.Kind.MALFORMED, "not a ticket of this system");
        }
        byte[] given;
        byte[] payloadBytes;
        try {
            given = DEC.decode(parts[2]);
            payloadBytes = DEC.decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTicketException(InvalidTicketException.Kind.MALFORMED, "ticket is not valid Base64");
        }
        String[] fields = new String(payloadBytes, StandardCharsets.UTF_8).split("\\|");
        if (fields.length != 3) {
            throw new InvalidTicketException(InvalidTicketException.Kind.MALFORMED, "ticket payload is malformed");
        }
        if (!MessageDigest.isEqual(given, mac(parts[1]))) {
            // A foreign lot's ticket fails the MAC too; say which, so the lane terminal can tell the driver.
            throw new InvalidTicketException(fields[0].equals(lotId)
                    ? InvalidTicketException.Kind.TAMPERED : InvalidTicketException.Kind.FOREIGN,
                    fields[0].equals(lotId) ? "ticket signature does not match" : "ticket belongs to another lot");
        }
        try {
            return new Ticket(fields[0], fields[1], Instant.ofEpochSecond(Long.parseLong(fields[2])));
        } catch (NumberFormatException e) {
            throw new InvalidTicketException(InvalidTicketException.Kind.MALFORMED, "ticket entry time is malformed");
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] full = mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
            byte[] truncated = new byte[MAC_BYTES];
            System.arraycopy(full, 0, truncated, 0, MAC_BYTES);
            return truncated;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
