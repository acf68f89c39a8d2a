package org.openparking.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Self-validating reservation codes (issue 19), the format the cloud signs and a gate verifies with no network:
 * {@code R1.<payload>.<signature>}, the payload {@code keyId|lotId|reservationId|fromEpochSecond|untilEpochSecond|
 * levelId|prepaid} in URL-safe Base64 (an empty levelId: every level of the lot), the signature Ed25519 over the
 * Base64 text. Unlike tickets and validations (an HMAC of the lot's ticket secret, which only the lot's edges hold),
 * the signer is the cloud, so the key is asymmetric: the cloud keeps each lot's private key, an edge only ever holds
 * public keys (pushed in {@link UpdateLaneRules#reservationKeys()}), so a stolen edge cannot mint reservations.
 * One class for both sides, so the format is written once.
 */
public final class ReservationCodes {
    public static final String PREFIX = "R1";
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();
    /** Longest code accepted for verification: a real one is about 210-250 characters. */
    public static final int MAX_LENGTH = 1024;

    private ReservationCodes() {
    }

    /** What a code carries once its signature is checked. {@code levelId} null: any level of the lot. */
    public record Claims(String keyId, String lotId, String reservationId, Instant from, Instant until,
                         String levelId, boolean prepaid) {
    }

    /** Why a code was refused: {@code UNKNOWN_KEY} when it may just be signed by a key this gate has not received. */
    public enum Failure { MALFORMED, UNKNOWN_KEY, BAD_SIGNATURE }

    public static final class InvalidCode extends RuntimeException {
        private final Failure failure;

        InvalidCode(Failure failure, String message) {
            super(message);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** Whether {@code code} has this format's shape (a plain code listed in a snapshot does not). */
    public static boolean looksSigned(String code) {
        return code != null && code.trim().startsWith(PREFIX + ".");
    }

    public static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
    }

    /** The public key as pushed to edges: its X.509 encoding in URL-safe Base64. */
    public static String encodePublic(PublicKey key) {
        return ENC.encodeToString(key.getEncoded());
    }

    public static PublicKey decodePublic(String text) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(DEC.decode(text)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static PrivateKey decodePrivate(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored reservation key unreadable", e);
        }
    }

    public static String sign(Claims c, PrivateKey key) {
        for (String field : new String[] {c.keyId(), c.lotId(), c.reservationId(), c.levelId()}) {
            if (field != null && field.indexOf('|') >= 0) {
                throw new IllegalArgumentException("ids in a reservation code must not contain '|': " + field);
            }
        }
        String payload = ENC.encodeToString(String.join("|", c.keyId(), c.lotId(), c.reservationId(),
                Long.toString(c.from().getEpochSecond()), Long.toString(c.until().getEpochSecond()),
                c.levelId() == null ? "" : c.levelId(), c.prepaid() ? "1" : "0").getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(payload.getBytes(StandardCharsets.US_ASCII));
            return PREFIX + "." + payload + "." + ENC.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /**
     * Checks the signature with the key the code names among {@code keys} (keyId to public key) and returns what it
     * carries. Lot, level and window are the caller's to judge (their refusals have their own names).
     *
     * @throws InvalidCode naming why
     */
    public static Claims verify(String code, Map<String, PublicKey> keys) {
        if (code == null || code.length() > MAX_LENGTH) {
            throw new InvalidCode(Failure.MALFORMED, "reservation code missing or too long");
        }
        String[] parts = code.trim().split("\\.");
        if (parts.length != 3 || !PREFIX.equals(parts[0])) {
            throw new InvalidCode(Failure.MALFORMED, "not a signed reservation code");
        }
        String[] f;
        byte[] signature;
        try {
            f = new String(DEC.decode(parts[1]), StandardCharsets.UTF_8).split("\\|", -1);
            signature = DEC.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidCode(Failure.MALFORMED, "reservation code is not valid Base64");
        }
        if (f.length != 7) {
            throw new InvalidCode(Failure.MALFORMED, "reservation code payload is malformed");
        }
        PublicKey key = keys.get(f[0]);
        if (key == null) {
            throw new InvalidCode(Failure.UNKNOWN_KEY, "reservation code is signed with key " + f[0]
                    + ", which this gate does not hold");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(parts[1].getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(signature)) {
                throw new InvalidCode(Failure.BAD_SIGNATURE, "reservation code signature does not match");
            }
        } catch (java.security.SignatureException e) {
            throw new InvalidCode(Failure.BAD_SIGNATURE, "reservation code signature does not match");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
        try {
            return new Claims(f[0], f[1], f[2], Instant.ofEpochSecond(Long.parseLong(f[3])),
                    Instant.ofEpochSecond(Long.parseLong(f[4])), f[5].isEmpty() ? null : f[5], "1".equals(f[6]));
        } catch (NumberFormatException e) {
            throw new InvalidCode(Failure.MALFORMED, "reservation code window is malformed");
        }
    }
}
