package org.opencalling.relay.allocation;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which peers a client may relay to. By default none on loopback, unspecified, link-local,
 * multicast, broadcast, reserved or private (RFC 1918, unique-local fc00::/7, CGNAT 100.64/10)
 * addresses: an open relay into the operator's own network is the classic TURN hole. IPv4-mapped
 * and IPv4-compatible IPv6 forms are judged as the IPv4 address they carry. Configuration
 * ({@code RELAY_ALLOWED_PEER_CIDRS}) allows address blocks back (tests: 127.0.0.0/8); unspecified,
 * multicast and broadcast addresses are never peers, whatever it says.
 */
public final class PeerPolicy {
    private final List<Cidr> allowed;

    public PeerPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** A comma-separated list of CIDR blocks ("127.0.0.0/8, fd00::/8"); blank: none. */
    public static PeerPolicy allowing(String cidrs) {
        List<Cidr> list = new ArrayList<>();
        for (String entry : cidrs.split(",")) {
            if (!entry.isBlank()) {
                list.add(Cidr.parse(entry.trim()));
            }
        }
        return new PeerPolicy(list);
    }

    /** Null if the peer is allowed; otherwise why not (for the 403 reason and the metric). */
    public String refusal(InetAddress peer) {
        InetAddress a = canonical(peer);
        String refusal = denied(a);
        if (refusal == null || refusal.equals("unspecified") || refusal.equals("multicast") || refusal.equals("broadcast")) {
            return refusal;
        }
        for (Cidr c : allowed) {
            if (c.contains(a)) {
                return null;
            }
        }
        return refusal;
    }

    private static String denied(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            if (first == 0) {
                return "unspecified"; // 0.0.0.0/8: "this network"
            }
            if (first == 255 && second == 255 && (b[2] & 0xFF) == 255 && (b[3] & 0xFF) == 255) {
                return "broadcast";
            }
            if (first >= 240) {
                return "reserved";
            }
            boolean isPrivate = first == 10 || (first == 172 && second >= 16 && second <= 31)
                    || (first == 192 && second == 168) || (first == 100 && second >= 64 && second <= 127);
            return isPrivate ? "private" : null;
        }
        if ((b[0] & 0xFE) == 0xFC) { // fc00::/7 unique local
            return "private";
        }
        if ((b[0] & 0xFF) == 0xFE && (b[1] & 0xC0) == 0xC0) { // fec0::/10 site-local (deprecated)
            return "private";
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or -compatible (::a.b.c.d) IPv6 address. */
    static InetAddress canonical(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return a;
            }
        }
        boolean mapped = (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
        boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xFE) == 0);
        if (!mapped && !compatible) {
            return a; // :: and ::1 stay IPv6 (unspecified, loopback)
        }
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
