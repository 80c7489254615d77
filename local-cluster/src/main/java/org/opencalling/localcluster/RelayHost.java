package org.opencalling.localcluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The address the local run's relay and SFU listen on and advertise. Browsers must accept it as a
 * candidate: Firefox drops loopback candidates (unless a pref says otherwise), so the default is
 * this machine's own address, the one its default route would send from.
 */
record RelayHost(String address, String how) {
    /** Peers the demo relay may reach: private ranges always, loopback only when the relay is loopback itself. */
    private static final String PRIVATE_PEERS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7";

    static RelayHost of(String option) {
        if (!Options.AUTO.equals(option)) {
            return new RelayHost(option, "--relay-host");
        }
        String own = defaultRouteAddress();
        return own != null
                ? new RelayHost(own, "this machine's address (--relay-host 127.0.0.1 keeps the relay off the network)")
                : new RelayHost("127.0.0.1", "no network address found: Firefox needs media.peerconnection.ice.loopback");
    }

    boolean loopback() {
        return address.startsWith("127.");
    }

    /**
     * RELAY_ALLOWED_PEER_CIDRS for the demo relay. Off loopback, the relay is reachable from the
     * network with the demo's TURN secret, so it must not relay into this machine's loopback
     * services (Redis, the admin ports); browsers here use this address, not loopback, anyway.
     */
    String allowedPeers() {
        return loopback() ? "127.0.0.0/8,::1," + PRIVATE_PEERS : address + "/32," + PRIVATE_PEERS;
    }

    /**
     * The source address of a UDP socket "connected" towards a documentation address: the kernel
     * picks it from the routing table and sends nothing. Null when there is no usable route.
     */
    static String defaultRouteAddress() {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName("203.0.113.1"), 9));
            InetAddress local = s.getLocalAddress();
            if (local instanceof Inet4Address && !local.isAnyLocalAddress() && !local.isLoopbackAddress()
                    && !local.isLinkLocalAddress()) {
                return local.getHostAddress();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
