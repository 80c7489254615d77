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
        PeerPolicy tests = PeerPolicy.allowing("127.0.0.0/8");
        assertNull(refusal(tests, "127.0.0.1"));
        assertNull(refusal(tests, "127.255.0.9"));
        assertEquals("loopback", refusal(tests, "::1"), "an IPv4 block does not cover IPv6");
        assertEquals("private", refusal(tests, "10.0.0.1"));
        PeerPolicy lan = PeerPolicy.allowing(" 192.168.10.0/23 , fd00::/8,::1");
        assertNull(refusal(lan, "192.168.10.1"));
        assertNull(refusal(lan, "192.168.11.255"));
        assertEquals("private", refusal(lan, "192.168.12.1"), "outside the /23");
        assertEquals("private", refusal(lan, "192.168.9.255"));
        assertNull(refusal(lan, "fd12::1"));
        assertEquals("private", refusal(lan, "fc00::1"));
        assertNull(refusal(lan, "::1"), "a single address");
        assertEquals("loopback", refusal(lan, "127.0.0.1"));
        PeerPolicy everything = PeerPolicy.allowing("0.0.0.0/0,::/0");
        assertNull(refusal(everything, "10.0.0.1"));
        assertNull(refusal(everything, "169.254.1.1"));
        assertEquals("multicast", refusal(everything, "239.1.1.1"), "never allowed");
        assertEquals("unspecified", refusal(everything, "0.0.0.0"), "never allowed");
        assertEquals("broadcast", refusal(everything, "255.255.255.255"), "never allowed");
        assertEquals("multicast", refusal(everything, "ff02::1"), "never allowed");
    }

    @Test
    void malformedBlocksAreNamed() {
        for (String bad : List.of("10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0/8x", "example.com/8", "10.0.0.0/", "/8", "1.2.3.4/a")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> PeerPolicy.allowing("127.0.0.0/8," + bad), bad);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertEquals("loopback", PeerPolicy.allowing(" , ").refusal(InetAddress.getLoopbackAddress()), "blank entries allow nothing");
    }
}
