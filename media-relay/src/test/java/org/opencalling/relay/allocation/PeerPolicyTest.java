package org.opencalling.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerPolicyTest {
    final PeerPolicy strict = new PeerPolicy(List.of());

    String refusal(PeerPolicy p, String address) throws Exception {
        return p.refusal(InetAddress.getByName(address));
    }

    @Test
    void forbiddenByDefault() throws Exception {
        assertEquals("loopback", refusal(strict, "127.0.0.1"));
        assertEquals("loopback", refusal(strict, "127.8.9.10"));
        assertEquals("loopback", refusal(strict, "::1"));
        assertEquals("unspecified", refusal(strict, "0.0.0.0"));
        assertEquals("unspecified", refusal(strict, "::"));
        assertEquals("unspecified", refusal(strict, "0.1.2.3"));
        assertEquals("link-local", refusal(strict, "169.254.1.1"));
        assertEquals("link-local", refusal(strict, "fe80::1"));
        assertEquals("multicast", refusal(strict, "224.0.0.1"));
        assertEquals("multicast", refusal(strict, "ff02::1"));
        assertEquals("broadcast", refusal(strict, "255.255.255.255"));
        assertEquals("reserved", refusal(strict, "240.0.0.1"));
        assertEquals("private", refusal(strict, "10.1.2.3"));
        assertEquals("private", refusal(strict, "172.16.0.1"));
        assertEquals("private", refusal(strict, "172.31.255.255"));
        assertEquals("private", refusal(strict, "192.168.1.1"));
        assertEquals("private", refusal(strict, "100.64.0.1"));
        assertEquals("private", refusal(strict, "fd00::1"));
    }

    @Test
    void ipv4InsideIpv6IsJudgedAsIpv4() throws Exception {
        // Built from bytes: Java would turn the text form into an Inet4Address by itself.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = 127;
        mapped[15] = 1;
        assertEquals("loopback", strict.refusal(java.net.Inet6Address.getByAddress(null, mapped, -1)));
        byte[] compatible = new byte[16];
        compatible[12] = 10;
        compatible[15] = 1;
        assertEquals("private", strict.refusal(java.net.Inet6Address.getByAddress(null, compatible, -1)));
    }

    @Test
    void publicAddressesAndWhatConfigurationAllows() throws Exception {
        assertNull(refusal(strict, "203.0.113.9"));
        assertNull(refusal(strict, "172.32.0.1"));
        assertNull(refusal(strict, "2001:db8::1"));
        PeerPolicy tests = new PeerPolicy(List.of(PeerPolicy.Allow.LOOPBACK));
        assertNull(refusal(tests, "127.0.0.1"));
        assertEquals("private", refusal(tests, "10.0.0.1"));
        PeerPolicy lan = new PeerPolicy(List.of(PeerPolicy.Allow.PRIVATE));
        assertNull(refusal(lan, "192.168.1.1"));
        assertEquals("loopback", refusal(lan, "127.0.0.1"));
        assertEquals("multicast", refusal(lan, "239.1.1.1"), "never allowed");
    }
}
