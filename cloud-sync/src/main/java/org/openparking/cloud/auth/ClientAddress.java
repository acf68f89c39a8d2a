package org.openparking.cloud.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The client address a per-client limit keys on. {@code X-Forwarded-For} is honoured only when the
 * connection comes from a configured trusted proxy ({@code limits.trusted-proxies}, default none):
 * then the list is read from the right, skipping trusted proxies, and the first other address is the
 * client (what a trusted proxy saw connecting to it; anything further left was written by the client
 * and is ignored). Without trusted proxies, or from any other peer, the header is ignored, so a client
 * cannot pick its own rate-limit bucket by sending one.
 */
public final class ClientAddress {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Range> trusted;

    private ClientAddress(List<Range> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /**
     * From addresses and CIDR ranges ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code fd00::/8}); an entry
     * that is neither is refused with its value (no host names: they would need DNS on every request).
     */
    public static ClientAddress trusting(List<String> proxies) {
        List<Range> ranges = new ArrayList<>();
        for (String p : proxies) {
            String entry = p.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            InetAddress a = literal(address).orElseThrow(() -> new IllegalArgumentException(
                    "limits.trusted-proxies: " + entry + " is not an IP address or CIDR range"));
            int max = a.getAddress().length * 8;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("limits.trusted-proxies: bad prefix length in " + entry);
            }
            ranges.add(new Range(a.getAddress(), bits));
        }
        return new ClientAddress(ranges);
    }

    public static ClientAddress none() {
        return new ClientAddress(List.of());
    }

    /**
     * The client's address for a connection from {@code peer} that carried these {@code X-Forwarded-For}
     * header values (in order; each may be a comma-separated list).
     */
    public String of(String peer, List<String> forwardedFor) {
        if (trusted.isEmpty() || forwardedFor.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = literal(hops.get(i));
            if (hop.isEmpty()) {
                // Not an address: no trusted proxy wrote it. Key on the last proxy that we trust.
                return client;
            }
            client = hop.get().getHostAddress();
            if (!matches(hop.get())) {
                return client;
            }
        }
        // Every hop is a trusted proxy: the leftmost is as close to the client as we can tell.
        return client;
    }

    private boolean isTrusted(String peer) {
        return literal(peer).map(this::matches).orElse(false);
    }

    private boolean matches(InetAddress address) {
        byte[] a = address.getAddress();
        for (Range r : trusted) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** An IP literal (optionally {@code [v6]}, {@code v4:port}, {@code %zone}), parsed without any DNS lookup. */
    static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) {
                return Optional.empty();
            }
            t = t.substring(1, end);
        } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':') && t.indexOf('.') > 0) {
            t = t.substring(0, t.indexOf(':'));
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        // Only strings that are literals by their shape reach InetAddress, which would resolve a name.
        boolean v4 = IPV4.matcher(t).matches();
        if (v4 && java.util.Arrays.stream(t.split("\\.")).anyMatch(octet -> Integer.parseInt(octet) > 255)) {
            return Optional.empty();
        }
        if (!v4 && !IPV6.matcher(t).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(t));
        } catch (UnknownHostException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
