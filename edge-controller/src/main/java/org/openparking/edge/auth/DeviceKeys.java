package org.openparking.edge.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Per-device credentials of lane terminals and pay stations: each device holds a random key, the edge
 * holds only the keys' SHA-256 digests. Comparison is constant-time over every listed digest.
 */
public final class DeviceKeys {
    private final List<byte[]> digests;

    public DeviceKeys(List<String> sha256Hex) {
        this.digests = sha256Hex.stream().map(HexFormat.of()::parseHex).toList();
    }

    public boolean accepts(String key) {
        if (key == null || key.isBlank()) {
            return false;
        }
        byte[] given = sha256(key.trim());
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, given);
        }
        return match;
    }

    /** The digest to put in {@code auth.device-key-hashes} for a device key. */
    public static String digestOf(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
