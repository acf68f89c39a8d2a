package org.openparking.cloud.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address a per-client limit keys on, with and without trusted proxies. */
class ClientAddressTest {
    private final ClientAddress proxies = ClientAddress.trusting(List.of("10.0.0.5", "192.168.8.0/22", "fd00::/8"));

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        assertThat(ClientAddress.none().of("203.0.113.7", List.of("198.51.100.1")), is("203.0.113.7"));
        assertThat(ClientAddress.trusting(List.of()).of("10.0.0.5", List.of("198.51.100.1")), is("10.0.0.5"));
    }

    @Test
    void fromAnUntrustedPeerTheHeaderIsIgnored() {
        assertThat(proxies.of("203.0.113.7", List.of("198.51.100.1")), is("203.0.113.7"));
        assertThat(proxies.of("192.168.12.1", List.of("198.51.100.1")), is("192.168.12.1"));
    }

    @Test
    void fromATrustedProxyTheRightmostUntrustedHopIsTheClient() {
        assertThat(proxies.of("10.0.0.5", List.of("198.51.100.1")), is("198.51.100.1"));
        // What the client wrote itself (left) is ignored; trusted hops (right) are skipped.
        assertThat(proxies.of("10.0.0.5", List.of("1.2.3.4, 198.51.100.1, 192.168.9.200")), is("198.51.100.1"));
        assertThat(proxies.of("10.0.0.5", List.of("1.2.3.4", "198.51.100.1,192.168.11.255")), is("198.51.100.1"));
        assertThat(proxies.of("fd12::1", List.of("[2001:db8::7]")), is("2001:db8:0:0:0:0:0:7"));
        assertThat(proxies.of("10.0.0.5", List.of("198.51.100.1:5123")), is("198.51.100.1"));
    }

    @Test
    void garbageOrOnlyProxiesFallBackToTheNearestTrustedHop() {
        assertThat(proxies.of("10.0.0.5", List.of("not-an-address")), is("10.0.0.5"));
        assertThat(proxies.of("10.0.0.5", List.of("evil.example, 192.168.8.1")), is("192.168.8.1"));
        assertThat(proxies.of("10.0.0.5", List.of("999.1.1.1")), is("10.0.0.5"));
        assertThat(proxies.of("10.0.0.5", List.of("192.168.8.9")), is("192.168.8.9"));
        assertThat(proxies.of("10.0.0.5", List.of()), is("10.0.0.5"));
    }

    @Test
    void badConfigurationIsRefusedWithItsValue() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> ClientAddress.trusting(List.of("proxy.internal")));
        assertThat(name.getMessage().contains("proxy.internal"), is(true));
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("10.0.0.0/x")));
    }
}
