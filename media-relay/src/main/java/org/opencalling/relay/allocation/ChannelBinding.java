package org.opencalling.relay.allocation;

import java.net.InetSocketAddress;

/** A channel number bound to a peer transport address, until {@code expiresAt} (ms). */
public record ChannelBinding(int channel, InetSocketAddress peer, long expiresAt) {
}
