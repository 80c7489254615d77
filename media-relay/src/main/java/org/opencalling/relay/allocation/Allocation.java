package org.opencalling.relay.allocation;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * One allocation (RFC 8656 §5): a relayed port for a client's 5-tuple, until it expires; the peers
 * it may exchange data with (permissions, by IP, RFC 8656 §9) and its channels (by number and by
 * peer, RFC 8656 §12). Thread-safe: the relay's threads handle its packets, the admin API reads it.
 */
public final class Allocation {
    private final String id;
    private final long createdAt;
    private final FiveTuple tuple;
    private final String username;
    private final int relayPort;
    private final byte[] allocateTransaction;
    private volatile long expiresAt;
    private final Map<InetAddress, Long> permissions = new HashMap<>();
    private final Map<Integer, ChannelBinding> byChannel = new HashMap<>();
    private final Map<InetSocketAddress, ChannelBinding> byPeer = new HashMap<>();

    /** At most this many peer IPs per allocation (more: 508), so one client cannot grow memory without bound. */
    public static final int MAX_PERMISSIONS = 128;

    /** Traffic relayed, for the admin API (written by the relay loop only, read anywhere). */
    private final Flow toPeer;
    private final Flow toClient;
    private volatile long droppedOverCap;

    /** One direction's traffic and its bandwidth cap (null: none). */
    private static final class Flow {
        final TokenBucket budget;
        volatile long packets;
        volatile long bytes;

        Flow(TokenBucket budget) {
            this.budget = budget;
        }
    }

    Allocation(String id, FiveTuple tuple, String username, int relayPort, long createdAt, long expiresAt,
               byte[] allocateTransaction, long maxBytesPerSecond) {
        this.id = id;
        this.createdAt = createdAt;
        this.toPeer = new Flow(maxBytesPerSecond > 0 ? new TokenBucket(maxBytesPerSecond, createdAt) : null);
        this.toClient = new Flow(maxBytesPerSecond > 0 ? new TokenBucket(maxBytesPerSecond, createdAt) : null);
        this.tuple = tuple;
        this.username = username;
        this.relayPort = relayPort;
        this.expiresAt = expiresAt;
        this.allocateTransaction = allocateTransaction == null ? new byte[0] : allocateTransaction.clone();
    }

    /** Whether this is the transaction that created it (a retransmitted Allocate gets the same success). */
    public boolean createdBy(byte[] transactionId) {
        return java.util.Arrays.equals(allocateTransaction, transactionId);
    }

    /** Unique on this relay for its lifetime (the admin API's handle). */
    public String id() {
        return id;
    }

    public long createdAt() {
        return createdAt;
    }

    /**
     * Counts a packet of {@code bytes} towards a peer, if the bandwidth cap lets it through
     * (false: drop it).
     */
    public synchronized boolean toPeer(int bytes, long nowMillis) {
        return pass(toPeer, bytes, nowMillis);
    }

    /** The same towards the client. */
    public synchronized boolean toClient(int bytes, long nowMillis) {
        return pass(toClient, bytes, nowMillis);
    }

    private boolean pass(Flow flow, int bytes, long nowMillis) {
        if (flow.budget != null && !flow.budget.take(bytes, nowMillis)) {
            droppedOverCap++;
            return false;
        }
        flow.packets++;
        flow.bytes += bytes;
        return true;
    }

    /** Packets and bytes relayed so far, and packets dropped over the bandwidth cap. */
    public record Traffic(long packetsToPeer, long bytesToPeer, long packetsToClient, long bytesToClient,
                          long droppedOverCap) {
    }

    public Traffic traffic() {
        return new Traffic(toPeer.packets, toPeer.bytes, toClient.packets, toClient.bytes, droppedOverCap);
    }

    public synchronized int channelCount() {
        return byChannel.size();
    }

    public FiveTuple tuple() {
        return tuple;
    }

    public String username() {
        return username;
    }

    public int relayPort() {
        return relayPort;
    }

    public long expiresAt() {
        return expiresAt;
    }

    void expiresAt(long at) {
        this.expiresAt = at;
    }

    /** Installs or refreshes a permission for this peer IP (ports do not matter). */
    public synchronized boolean permit(InetAddress peer, long untilMillis) {
        if (!permissions.containsKey(peer) && permissions.size() >= MAX_PERMISSIONS) {
            return false;
        }
        permissions.put(peer, untilMillis);
        return true;
    }

    /** Whether {@code n} more peer IPs than now would still fit. */
    public synchronized boolean roomFor(java.util.Collection<InetAddress> peers) {
        return permissions.size() + peers.stream().filter(p -> !permissions.containsKey(p)).distinct().count()
                <= MAX_PERMISSIONS;
    }

    public synchronized boolean permits(InetAddress peer, long nowMillis) {
        Long until = permissions.get(peer);
        return until != null && until > nowMillis;
    }

    /** Why a ChannelBind may not happen (RFC 8656 §11.2), or null if it may. */
    public synchronized String bindRefusal(int channel, InetSocketAddress peer, long nowMillis) {
        ChannelBinding c = live(byChannel.get(channel), nowMillis);
        if (c != null && !c.peer().equals(peer)) {
            return "channel bound to another peer";
        }
        ChannelBinding p = live(byPeer.get(peer), nowMillis);
        if (p != null && p.channel() != channel) {
            return "peer bound to another channel";
        }
        return null;
    }

    /** Binds (or refreshes) a channel; the caller checked {@link #bindRefusal}. Also installs the permission. */
    public synchronized void bind(int channel, InetSocketAddress peer, long untilMillis, long permissionUntilMillis) {
        ChannelBinding b = new ChannelBinding(channel, peer, untilMillis);
        ChannelBinding old = byChannel.put(channel, b);
        if (old != null && !old.peer().equals(peer)) {
            byPeer.remove(old.peer(), old); // an expired binding of this number to another peer
        }
        byPeer.put(peer, b);
        permissions.merge(peer.getAddress(), permissionUntilMillis, Math::max);
    }

    /** The peer a live channel is bound to, or null. */
    public synchronized InetSocketAddress peerOf(int channel, long nowMillis) {
        ChannelBinding b = live(byChannel.get(channel), nowMillis);
        return b == null ? null : b.peer();
    }

    /** The live channel bound to this peer, or -1 (then data goes in a Data indication). */
    public synchronized int channelOf(InetSocketAddress peer, long nowMillis) {
        ChannelBinding b = live(byPeer.get(peer), nowMillis);
        return b == null ? -1 : b.channel();
    }

    /** Drops expired permissions and channel bindings. */
    public synchronized void prune(long nowMillis) {
        permissions.values().removeIf(until -> until <= nowMillis);
        byChannel.values().removeIf(b -> b.expiresAt() <= nowMillis);
        byPeer.values().removeIf(b -> b.expiresAt() <= nowMillis);
    }

    public synchronized int permissionCount() {
        return permissions.size();
    }

    private static ChannelBinding live(ChannelBinding b, long nowMillis) {
        return b != null && b.expiresAt() > nowMillis ? b : null;
    }
}
