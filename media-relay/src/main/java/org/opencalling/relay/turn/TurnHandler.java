package org.opencalling.relay.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.opencalling.relay.allocation.Allocation;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.stun.ChannelData;
import org.opencalling.stun.ErrorCode;
import org.opencalling.stun.StunAttribute;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunIntegrity;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.stun.XorAddress;

/**
 * The TURN protocol (RFC 8656) over decoded packets, without any network: a packet from a
 * client or from a peer goes in, what to send where comes out. Long-term authentication in the
 * TURN REST form (usernames {@code expiry:user}, passwords from {@code TURN_SECRET}) with
 * stateless nonces. The network side (media-relay's UDP and TCP listeners) stays thin around it.
 */
public final class TurnHandler {
    /** Something to send: to the client of a 5-tuple, or to a peer from an allocation's relayed port. */
    public sealed interface Output {
    }

    public record ToClient(FiveTuple tuple, byte[] bytes) implements Output {
    }

    public record ToPeer(int relayPort, InetSocketAddress peer, byte[] data) implements Output {
    }

    private static final Set<Integer> KNOWN = Set.of(StunTypes.USERNAME, StunTypes.MESSAGE_INTEGRITY,
            StunTypes.MESSAGE_INTEGRITY_SHA256, StunTypes.ERROR_CODE, StunTypes.CHANNEL_NUMBER, StunTypes.LIFETIME,
            StunTypes.XOR_PEER_ADDRESS, StunTypes.DATA_ATTR, StunTypes.REALM, StunTypes.NONCE,
            StunTypes.REQUESTED_ADDRESS_FAMILY, StunTypes.REQUESTED_TRANSPORT, StunTypes.XOR_MAPPED_ADDRESS,
            StunTypes.PRIORITY, StunTypes.USE_CANDIDATE, StunTypes.USERHASH, StunTypes.EVEN_PORT,
            StunTypes.RESERVATION_TOKEN);
    private static final int UDP = 17;
    private static final String SOFTWARE = "opencalling media-relay";

    private final Allocations allocations;
    private final PeerPolicy peers;
    private final StatelessNonce nonces;
    private final TurnCredentials credentials;
    private final String realm;
    private final InetAddress relayAddress;
    private final StunDecoder decoder = new StunDecoder(0xFFFF + 20, 32);
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    /** Relayed traffic in total (the relay's loops write, the metrics read). */
    private final java.util.concurrent.atomic.LongAdder packetsToPeer = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesToPeer = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder packetsToClient = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesToClient = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder droppedOverCap = new java.util.concurrent.atomic.LongAdder();
    /** The relay's own client-facing ports and addresses: never a peer (a relay talking TURN to itself). */
    private volatile Set<Integer> ownPorts = Set.of();
    /** The UDP ports an SFU answers on: peers a client may relay to (it reaches only the SFU there). */
    private volatile Set<Integer> sfuPorts = Set.of();
    private volatile java.util.function.IntPredicate relayedPort = p -> true;
    private volatile Set<InetAddress> ownAddresses = Set.of();

    public TurnHandler(Allocations allocations, PeerPolicy peers, StatelessNonce nonces, TurnCredentials credentials,
                       String realm, InetAddress relayAddress) {
        this.allocations = allocations;
        this.peers = peers;
        this.nonces = nonces;
        this.credentials = credentials;
        this.realm = realm;
        this.relayAddress = relayAddress;
    }

    /**
     * Counts by name (for the metrics): {@code auth.challenge}, {@code auth.failed.<reason>},
     * {@code refused.<reason>}, {@code dropped.<reason>}.
     */
    public Map<String, AtomicLong> counters() {
        return counters;
    }

    /** Everything relayed since start, both ways, and what the bandwidth cap dropped. */
    public Allocation.Traffic relayed() {
        return new Allocation.Traffic(packetsToPeer.sum(), bytesToPeer.sum(), packetsToClient.sum(), bytesToClient.sum(),
                droppedOverCap.sum());
    }

    /**
     * What the relay itself is, so that a client cannot make it its own peer: the addresses it
     * answers on, the client-facing ports it is configured with (bound or not), and which ports
     * are relayed ones. On its own addresses only relayed ports are peers (relay to relay, as
     * when both sides of a call use this relay); on loopback, when loopback peers are allowed at
     * all, anything but a client-facing port.
     */
    public void ownAddresses(Set<InetAddress> addresses, Set<Integer> listenerPorts, java.util.function.IntPredicate relayed) {
        Set<InetAddress> all = new java.util.HashSet<>(addresses);
        all.add(relayAddress);
        this.ownAddresses = Set.copyOf(all);
        this.ownPorts = Set.copyOf(listenerPorts);
        this.relayedPort = relayed;
    }

    /**
     * The client-facing UDP ports where an SFU answers: a client forced onto TURN (relay-only
     * ICE) may reach the SFU through its allocation. What arrives there from a relayed port goes
     * to the SFU only, never to TURN (RelayServer), so no TURN loop can be built this way.
     */
    public void sfuPorts(Set<Integer> ports) {
        this.sfuPorts = Set.copyOf(ports);
    }

    /** Whether an address is one the relay itself answers on (or loopback). */
    public boolean ownAddress(InetAddress ip) {
        return ownAddresses.contains(ip) || ip.isLoopbackAddress();
    }

    /** Whether a peer is the relay itself, other than one of its relayed ports (or its SFU). */
    private boolean ownListener(InetSocketAddress peer) {
        InetAddress ip = peer.getAddress();
        if (sfuPorts.contains(peer.getPort()) && (ip.isLoopbackAddress() || ownAddresses.contains(ip))) {
            return false;
        }
        if (ip.isLoopbackAddress()) {
            return ownPorts.contains(peer.getPort());
        }
        return ownAddresses.contains(ip) && !relayedPort.test(peer.getPort());
    }

    private void count(String name) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    /** A packet from a client on a 5-tuple: a STUN message or ChannelData. */
    public List<Output> fromClient(FiveTuple tuple, byte[] b, int off, int len, long nowMillis) {
        List<Output> out = new ArrayList<>(1);
        if (ChannelData.looksLikeChannelData(b, off, len)) {
            channelData(tuple, b, off, len, nowMillis, out);
            return out;
        }
        StunDecoder.Result r = decoder.decode(b, off, len);
        if (!r.ok()) {
            count("dropped.malformed");
            return out;
        }
        StunMessage m = r.message();
        if (m.messageClass() == StunTypes.INDICATION) {
            if (m.method() == StunTypes.SEND) {
                send(tuple, m, nowMillis, out);
            }
            return out;
        }
        if (m.messageClass() != StunTypes.REQUEST) {
            count("dropped.not-a-request");
            return out;
        }
        if (m.method() == StunTypes.BINDING) {
            // Kept small (no SOFTWARE): an unauthenticated answer to a possibly spoofed source.
            out.add(new ToClient(tuple, StunEncoder.answer(m, StunTypes.SUCCESS)
                    .add(StunTypes.XOR_MAPPED_ADDRESS, XorAddress.encode(tuple.client(), m.transactionId()))
                    .fingerprint().encode()));
            return out;
        }
        int method = m.method();
        if (method != StunTypes.ALLOCATE && method != StunTypes.REFRESH && method != StunTypes.CREATE_PERMISSION
                && method != StunTypes.CHANNEL_BIND) {
            count("dropped.unknown-method"); // not answered: nothing to amplify
            return out;
        }
        byte[] key = authenticate(tuple, m, nowMillis, out);
        if (key == null) {
            return out;
        }
        // After authentication (RFC 8489 §6.3): what a comprehension-required attribute we do not know gets.
        List<Integer> unknown = m.unknownRequired(KNOWN);
        if (!unknown.isEmpty()) {
            byte[] list = new byte[unknown.size() * 2];
            for (int i = 0; i < unknown.size(); i++) {
                list[2 * i] = (byte) (unknown.get(i) >>> 8);
                list[2 * i + 1] = (byte) (unknown.get(i) & 0xFF);
            }
            count("refused.unknown-attribute");
            out.add(new ToClient(tuple, StunEncoder.answer(m, StunTypes.ERROR)
                    .add(StunTypes.ERROR_CODE, new ErrorCode(420, "Unknown Attribute").encode())
                    .add(StunTypes.UNKNOWN_ATTRIBUTES, list).integrity(key).fingerprint().encode()));
            return out;
        }
        String username = m.get(StunTypes.USERNAME).orElseThrow().asText();
        Allocation existing = allocations.get(tuple, nowMillis);
        if (method != StunTypes.ALLOCATE && existing != null && !existing.username().equals(username)) {
            count("refused.wrong-credentials");
            error(tuple, m, key, 441, "Wrong Credentials", out); // another user's allocation
            return out;
        }
        switch (method) {
            case StunTypes.ALLOCATE -> allocate(tuple, m, username, key, nowMillis, out);
            case StunTypes.REFRESH -> refresh(tuple, m, key, nowMillis, out);
            case StunTypes.CREATE_PERMISSION -> createPermission(tuple, m, key, nowMillis, out);
            default -> channelBind(tuple, m, key, nowMillis, out);
        }
        return out;
    }

    /** Long-term credentials (RFC 8489 §9.2); the key when they hold, else null (the error is queued). */
    private byte[] authenticate(FiveTuple tuple, StunMessage m, long nowMillis, List<Output> out) {
        String client = clientId(tuple);
        if (!m.has(StunTypes.MESSAGE_INTEGRITY)) {
            count("auth.challenge");
            challenge(tuple, m, 401, "Unauthenticated", client, nowMillis, out);
            return null;
        }
        if (!m.has(StunTypes.USERNAME) || !m.has(StunTypes.REALM) || !m.has(StunTypes.NONCE)) {
            count("auth.failed.missing-attribute");
            error(tuple, m, null, 400, "Bad Request", out);
            return null;
        }
        StatelessNonce.Check nonce = nonces.check(m.get(StunTypes.NONCE).get().asText(), client, nowMillis);
        if (nonce != StatelessNonce.Check.VALID) {
            count("auth.failed.stale-nonce");
            challenge(tuple, m, 438, "Stale Nonce", client, nowMillis, out);
            return null;
        }
        String username = m.get(StunTypes.USERNAME).get().asText();
        String password = credentials.passwordIfValid(username, nowMillis / 1000);
        if (password == null) {
            // An allocation outlives its credentials' validity: the browser keeps refreshing it
            // with the username it allocated with (integrity is still checked below).
            Allocation a = allocations.get(tuple, nowMillis);
            if (a != null && a.username().equals(username)) {
                password = credentials.password(username);
            }
        }
        if (password == null || !realm.equals(m.get(StunTypes.REALM).get().asText())) {
            count(password == null ? "auth.failed.expired-or-malformed-username" : "auth.failed.wrong-realm");
            challenge(tuple, m, 401, "Unauthenticated", client, nowMillis, out);
            return null;
        }
        byte[] key = StunIntegrity.longTermKey(username, realm, password);
        if (!StunIntegrity.verify(m, key)) {
            count("auth.failed.bad-integrity");
            challenge(tuple, m, 401, "Unauthenticated", client, nowMillis, out);
            return null;
        }
        return key;
    }

    private void challenge(FiveTuple tuple, StunMessage m, int code, String reason, String client, long nowMillis,
                           List<Output> out) {
        out.add(new ToClient(tuple, StunEncoder.answer(m, StunTypes.ERROR)
                .add(StunTypes.ERROR_CODE, new ErrorCode(code, reason).encode())
                .add(StunAttribute.text(StunTypes.REALM, realm))
                .add(StunAttribute.text(StunTypes.NONCE, nonces.issue(client, nowMillis))).fingerprint().encode()));
    }

    private void error(FiveTuple tuple, StunMessage m, byte[] key, int code, String reason, List<Output> out) {
        StunEncoder e = StunEncoder.answer(m, StunTypes.ERROR).add(StunTypes.ERROR_CODE, new ErrorCode(code, reason).encode());
        if (key != null) {
            e.integrity(key);
        }
        out.add(new ToClient(tuple, e.fingerprint().encode()));
    }

    private void allocate(FiveTuple tuple, StunMessage m, String username, byte[] key, long now, List<Output> out) {
        Allocation existing = allocations.get(tuple, now);
        if (existing != null && existing.createdBy(m.transactionId()) && existing.username().equals(username)) {
            allocated(tuple, m, existing, null, key, now, out); // its success was lost: the same again
            return;
        }
        if (existing != null) {
            count("refused.allocation-mismatch");
            error(tuple, m, key, 437, "Allocation Mismatch", out);
            return;
        }
        StunAttribute transport = m.get(StunTypes.REQUESTED_TRANSPORT).orElse(null);
        if (transport == null || transport.length() != 4) {
            error(tuple, m, key, 400, "Bad Request", out);
            return;
        }
        if ((transport.value()[0] & 0xFF) != UDP) {
            error(tuple, m, key, 442, "Unsupported Transport Protocol", out);
            return;
        }
        StunAttribute family = m.get(StunTypes.REQUESTED_ADDRESS_FAMILY).orElse(null);
        if (family != null && (family.length() != 4 || family.value()[0] != XorAddress.IPV4)) {
            error(tuple, m, key, 440, "Address Family not Supported", out);
            return;
        }
        StunAttribute even = m.get(StunTypes.EVEN_PORT).orElse(null);
        StunAttribute token = m.get(StunTypes.RESERVATION_TOKEN).orElse(null);
        if ((even != null && token != null) || (even != null && even.length() != 1)
                || (token != null && token.length() != 8)) {
            error(tuple, m, key, 400, "Bad Request", out);
            return;
        }
        Allocations.PortRequest port = token != null
                ? new Allocations.PortRequest(false, false, java.util.HexFormat.of().formatHex(token.value()))
                : even != null ? new Allocations.PortRequest(true, (even.value()[0] & 0x80) != 0, null)
                : Allocations.PortRequest.ANY;
        long requested = m.get(StunTypes.LIFETIME).map(StunAttribute::asU32).orElse(-1L);
        Allocations.Created c = allocations.create(tuple, username, requested, port, m.transactionId(), now);
        if (!c.ok()) {
            count(c.errorCode() == 486 ? "refused.quota"
                    : token != null ? "refused.reservation-token" : "refused.capacity");
            error(tuple, m, key, c.errorCode(), c.reason(), out);
            return;
        }
        allocated(tuple, m, c.allocation(), c.reservationToken(), key, now, out);
    }

    private void allocated(FiveTuple tuple, StunMessage m, Allocation a, String token, byte[] key, long now,
                           List<Output> out) {
        StunEncoder ok = StunEncoder.answer(m, StunTypes.SUCCESS)
                .add(StunTypes.XOR_RELAYED_ADDRESS,
                        XorAddress.encode(new InetSocketAddress(relayAddress, a.relayPort()), m.transactionId()))
                .add(StunTypes.XOR_MAPPED_ADDRESS, XorAddress.encode(tuple.client(), m.transactionId()))
                .add(StunAttribute.u32(StunTypes.LIFETIME, (a.expiresAt() - now) / 1000));
        if (token != null) {
            ok.add(StunTypes.RESERVATION_TOKEN, java.util.HexFormat.of().parseHex(token));
        }
        out.add(new ToClient(tuple, ok.add(StunAttribute.text(StunTypes.SOFTWARE, SOFTWARE))
                .integrity(key).fingerprint().encode()));
    }

    private void refresh(FiveTuple tuple, StunMessage m, byte[] key, long now, List<Output> out) {
        Allocation a = allocations.get(tuple, now);
        if (a == null) {
            error(tuple, m, key, 437, "Allocation Mismatch", out);
            return;
        }
        long requested = m.get(StunTypes.LIFETIME).map(StunAttribute::asU32).orElse(-1L);
        long granted = allocations.refresh(a, requested, now);
        if (granted < 0) {
            error(tuple, m, key, 437, "Allocation Mismatch", out);
            return;
        }
        out.add(new ToClient(tuple, StunEncoder.answer(m, StunTypes.SUCCESS)
                .add(StunAttribute.u32(StunTypes.LIFETIME, granted / 1000)).integrity(key).fingerprint().encode()));
    }

    private void createPermission(FiveTuple tuple, StunMessage m, byte[] key, long now, List<Output> out) {
        Allocation a = allocations.get(tuple, now);
        if (a == null) {
            error(tuple, m, key, 437, "Allocation Mismatch", out);
            return;
        }
        List<InetAddress> ips = new ArrayList<>();
        for (StunAttribute attr : m.attributes()) {
            if (attr.type() == StunTypes.XOR_PEER_ADDRESS) {
                InetSocketAddress peer = XorAddress.decode(attr.value(), m.transactionId());
                if (peer == null) {
                    error(tuple, m, key, 400, "Bad Request", out);
                    return;
                }
                if (!(peer.getAddress() instanceof java.net.Inet4Address)) {
                    error(tuple, m, key, 443, "Peer Address Family Mismatch", out); // relayed addresses are IPv4
                    return;
                }
                if (peers.refusal(peer.getAddress()) != null) {
                    count("refused.peer." + peers.refusal(peer.getAddress()));
                    error(tuple, m, key, 403, "Forbidden", out);
                    return;
                }
                ips.add(peer.getAddress());
            }
        }
        if (ips.isEmpty()) {
            error(tuple, m, key, 400, "Bad Request", out);
            return;
        }
        if (!a.roomFor(ips)) {
            count("refused.too-many-permissions");
            error(tuple, m, key, 508, "Insufficient Capacity", out);
            return;
        }
        ips.forEach(ip -> a.permit(ip, now + allocations.limits().permissionLifetime()));
        out.add(new ToClient(tuple, StunEncoder.answer(m, StunTypes.SUCCESS).integrity(key).fingerprint().encode()));
    }

    private void channelBind(FiveTuple tuple, StunMessage m, byte[] key, long now, List<Output> out) {
        Allocation a = allocations.get(tuple, now);
        if (a == null) {
            error(tuple, m, key, 437, "Allocation Mismatch", out);
            return;
        }
        StunAttribute number = m.get(StunTypes.CHANNEL_NUMBER).orElse(null);
        StunAttribute peerAttr = m.get(StunTypes.XOR_PEER_ADDRESS).orElse(null);
        InetSocketAddress peer = peerAttr == null ? null : XorAddress.decode(peerAttr.value(), m.transactionId());
        int channel = number == null || number.length() != 4 ? -1 : ((number.value()[0] & 0xFF) << 8) | (number.value()[1] & 0xFF);
        if (peer == null || !ChannelData.validChannel(channel)) {
            count(peer == null ? "refused.channel-bind.no-peer" : "refused.channel-bind.bad-number");
            error(tuple, m, key, 400, "Bad Request", out);
            return;
        }
        if (!(peer.getAddress() instanceof java.net.Inet4Address)) {
            error(tuple, m, key, 443, "Peer Address Family Mismatch", out);
            return;
        }
        if (peers.refusal(peer.getAddress()) != null) {
            count("refused.peer." + peers.refusal(peer.getAddress()));
            error(tuple, m, key, 403, "Forbidden", out);
            return;
        }
        if (ownListener(peer)) {
            count("refused.peer.relay-listener");
            error(tuple, m, key, 403, "Forbidden", out);
            return;
        }
        if (!a.roomFor(List.of(peer.getAddress()))) {
            count("refused.too-many-permissions");
            error(tuple, m, key, 508, "Insufficient Capacity", out);
            return;
        }
        if (a.bindRefusal(channel, peer, now) != null) {
            count("refused.channel-bind.conflict");
            error(tuple, m, key, 400, "Bad Request", out);
            return;
        }
        a.bind(channel, peer, now + allocations.limits().channelLifetime(), now + allocations.limits().permissionLifetime());
        out.add(new ToClient(tuple, StunEncoder.answer(m, StunTypes.SUCCESS).integrity(key).fingerprint().encode()));
    }

    private void send(FiveTuple tuple, StunMessage m, long now, List<Output> out) {
        Allocation a = allocations.get(tuple, now);
        InetSocketAddress peer = m.get(StunTypes.XOR_PEER_ADDRESS)
                .map(p -> XorAddress.decode(p.value(), m.transactionId())).orElse(null);
        StunAttribute data = m.get(StunTypes.DATA_ATTR).orElse(null);
        if (a == null || peer == null || data == null || !a.permits(peer.getAddress(), now)) {
            count("dropped.send-without-permission");
            return;
        }
        if (ownListener(peer)) {
            count("dropped.to-relay-listener");
            return;
        }
        if (toPeer(a, data.length(), now)) {
            out.add(new ToPeer(a.relayPort(), peer, data.value()));
        }
    }

    private void channelData(FiveTuple tuple, byte[] b, int off, int len, long now, List<Output> out) {
        int channel = ChannelData.channel(b, off, len);
        Allocation a = channel < 0 ? null : allocations.get(tuple, now);
        InetSocketAddress peer = a == null ? null : a.peerOf(channel, now);
        if (peer == null || !a.permits(peer.getAddress(), now)) {
            count("dropped.channel-data");
            return;
        }
        int length = ChannelData.dataLength(b, off);
        if (!toPeer(a, length, now)) {
            return;
        }
        byte[] data = new byte[length];
        System.arraycopy(b, off + 4, data, 0, length);
        out.add(new ToPeer(a.relayPort(), peer, data));
    }

    /** A datagram from a peer to an allocation's relayed port: to its client, if permitted. */
    public List<Output> fromPeer(int relayPort, InetSocketAddress peer, byte[] b, int off, int len, long now) {
        Allocation a = allocations.byRelayPort(relayPort, now);
        if (a == null || !a.permits(peer.getAddress(), now)) {
            count("dropped.from-peer-without-permission");
            return List.of();
        }
        if (!a.toClient(len, now)) {
            droppedOverCap.increment();
            return List.of();
        }
        packetsToClient.increment();
        bytesToClient.add(len);
        int channel = a.channelOf(peer, now);
        if (channel >= 0) {
            return List.of(new ToClient(a.tuple(), ChannelData.encode(channel, b, off, len,
                    a.tuple().transport() == FiveTuple.Transport.TCP)));
        }
        byte[] data = new byte[len];
        System.arraycopy(b, off, data, 0, len);
        byte[] tid = new byte[12];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(tid);
        return List.of(new ToClient(a.tuple(), StunEncoder.message(StunTypes.DATA, StunTypes.INDICATION, tid)
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peer, tid)).add(StunTypes.DATA_ATTR, data).encode()));
    }

    /** Counts a packet to a peer, unless the allocation's bandwidth cap drops it. */
    private boolean toPeer(Allocation a, int bytes, long now) {
        if (!a.toPeer(bytes, now)) {
            droppedOverCap.increment();
            return false;
        }
        packetsToPeer.increment();
        bytesToPeer.add(bytes);
        return true;
    }

    private static String clientId(FiveTuple t) {
        return t.client() + "/" + t.transport();
    }
}
