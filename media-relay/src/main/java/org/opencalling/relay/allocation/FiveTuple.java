package org.opencalling.relay.allocation;

import java.net.InetSocketAddress;

/** What identifies an allocation (RFC 8656 §2): the client's and the server's transport addresses and the transport. */
public record FiveTuple(InetSocketAddress client, InetSocketAddress server, Transport transport) {
    public enum Transport { UDP, TCP }
}
