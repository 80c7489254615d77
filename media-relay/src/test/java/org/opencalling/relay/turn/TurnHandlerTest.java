package org.opencalling.relay.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.allocation.PortPool;
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

/** The TURN protocol through the handler, with a client written here: every method, success and errors. */
class TurnHandlerTest {
    static final long NOW = 1_795_640_000_000L;
    static final String SECRET = "turn-test-secret";
    static final String REALM = "opencalling";
    static final FiveTuple TUPLE = new FiveTuple(new InetSocketAddress("198.51.100.7", 50000),
            new InetSocketAddress("192.0.2.10", 3478), FiveTuple.Transport.UDP);
    static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.9", 6000);

    final TurnCredentials credentials = new TurnCredentials(SECRET);
    final Allocations allocations = new Allocations(Allocations.Limits.standard(2, 100), new PortPool(49152, 49160));
    /** Not final: a test with other limits swaps in its own handler. */
    TurnHandler handler = new TurnHandler(allocations,
            new PeerPolicy(List.of()), new StatelessNonce("k".getBytes(), 600_000), credentials, REALM,
            address("192.0.2.10"));
    final TurnCredentials.Credential alice = credentials.mint(1_400_000_000L, "alice", 3600, NOW / 1000);
    final byte[] key = StunIntegrity.longTermKey(alice.username(), REALM, alice.password());
    String nonce;

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] tid() {
        byte[] t = new byte[12];
        ThreadLocalRandom.current().nextBytes(t);
        return t;
    }

    StunMessage one(List<TurnHandler.Output> out) {
        assertEquals(1, out.size(), out.toString());
        TurnHandler.ToClient c = (TurnHandler.ToClient) out.get(0);
        StunDecoder.Result r = new StunDecoder().decode(c.bytes());
        assertTrue(r.ok(), r.error());
        return r.message();
    }

    StunMessage send(byte[] packet, FiveTuple t, long now) {
        return one(handler.fromClient(t, packet, 0, packet.length, now));
    }

    int errorOf(StunMessage m) {
        assertEquals(StunTypes.ERROR, m.messageClass(), m.toString());
        return ErrorCode.decode(m.get(StunTypes.ERROR_CODE).orElseThrow().value()).code();
    }

    /** A request with this client's credentials (after a first 401 gave the nonce). */
    StunEncoder authed(int method, FiveTuple t) {
        if (nonce == null) {
            StunMessage challenge = send(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)).encode(), t, NOW);
            nonce = challenge.get(StunTypes.NONCE).orElseThrow().asText();
        }
        return StunEncoder.message(method, StunTypes.REQUEST, tid())
                .add(StunAttribute.text(StunTypes.USERNAME, alice.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM))
                .add(StunAttribute.text(StunTypes.NONCE, nonce));
    }

    StunMessage allocate(FiveTuple t) {
        return send(authed(StunTypes.ALLOCATE, t).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .integrity(key).fingerprint().encode(), t, NOW);
    }

    @Test
    void anUnauthenticatedAllocateIsChallenged() {
        StunMessage m = send(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)).encode(), TUPLE, NOW);
        assertEquals(401, errorOf(m));
        assertEquals(REALM, m.get(StunTypes.REALM).orElseThrow().asText());
        assertTrue(m.has(StunTypes.NONCE));
        assertTrue(StunIntegrity.verifyFingerprint(m));
        assertEquals(0, allocations.created());
    }

    @Test
    void allocateRefreshAndDelete() {
        StunMessage ok = allocate(TUPLE);
        assertEquals(StunTypes.SUCCESS, ok.messageClass(), ok.toString());
        assertTrue(StunIntegrity.verify(ok, key), "the response is signed with the same key");
        InetSocketAddress relayed = XorAddress.decode(ok.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(), ok.transactionId());
        assertEquals(address("192.0.2.10"), relayed.getAddress());
        assertTrue(relayed.getPort() >= 49152 && relayed.getPort() <= 49160);
        assertEquals(TUPLE.client(), XorAddress.decode(ok.get(StunTypes.XOR_MAPPED_ADDRESS).orElseThrow().value(), ok.transactionId()));
        assertEquals(600, ok.get(StunTypes.LIFETIME).orElseThrow().asU32());
        assertEquals(437, errorOf(allocate(TUPLE)), "one allocation per 5-tuple");
        StunMessage refreshed = send(authed(StunTypes.REFRESH, TUPLE).add(StunAttribute.u32(StunTypes.LIFETIME, 1800))
                .integrity(key).encode(), TUPLE, NOW);
        assertEquals(1800, refreshed.get(StunTypes.LIFETIME).orElseThrow().asU32());
        StunMessage deleted = send(authed(StunTypes.REFRESH, TUPLE).add(StunAttribute.u32(StunTypes.LIFETIME, 0))
                .integrity(key).encode(), TUPLE, NOW);
        assertEquals(0, deleted.get(StunTypes.LIFETIME).orElseThrow().asU32());
        assertEquals(437, errorOf(send(authed(StunTypes.REFRESH, TUPLE).integrity(key).encode(), TUPLE, NOW)));
    }

    @Test
    void credentialsAndNoncesAreChecked() {
        allocate(TUPLE); // gets a nonce
        byte[] wrongKey = StunIntegrity.longTermKey(alice.username(), REALM, "not-the-password");
        assertEquals(401, errorOf(send(authed(StunTypes.ALLOCATE, TUPLE).integrity(wrongKey).encode(), TUPLE, NOW)));
        TurnCredentials.Credential expired = credentials.mint(1_400_000_000L, "alice", 10, NOW / 1000 - 60);
        assertEquals(401, errorOf(send(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.text(StunTypes.USERNAME, expired.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                .integrity(StunIntegrity.longTermKey(expired.username(), REALM, expired.password())).encode(), TUPLE, NOW)));
        StunMessage stale = send(authed(StunTypes.REFRESH, TUPLE).integrity(key).encode(), TUPLE, NOW + 600_000);
        assertEquals(438, errorOf(stale));
        assertTrue(stale.has(StunTypes.NONCE), "with a fresh nonce to retry with");
        FiveTuple other = new FiveTuple(new InetSocketAddress("198.51.100.8", 50000), TUPLE.server(), TUPLE.transport());
        assertEquals(438, errorOf(send(authed(StunTypes.ALLOCATE, other).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .integrity(key).encode(), other, NOW)), "a nonce is bound to its client");
        assertEquals(400, errorOf(send(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.text(StunTypes.USERNAME, alice.username())).integrity(key).encode(), TUPLE, NOW)),
                "MESSAGE-INTEGRITY without REALM and NONCE");
        assertTrue(handler.counters().get("auth.failed.bad-integrity").get() >= 1);
        assertTrue(handler.counters().get("auth.failed.stale-nonce").get() >= 2);
    }

    @Test
    void badAllocatesAreRefusedWithTheRightCodes() {
        authed(StunTypes.ALLOCATE, TUPLE);
        assertEquals(400, errorOf(send(authed(StunTypes.ALLOCATE, TUPLE).integrity(key).encode(), TUPLE, NOW)),
                "no REQUESTED-TRANSPORT");
        assertEquals(442, errorOf(send(authed(StunTypes.ALLOCATE, TUPLE).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 6L << 24))
                .integrity(key).encode(), TUPLE, NOW)), "TCP relaying is not offered");
        assertEquals(440, errorOf(send(authed(StunTypes.ALLOCATE, TUPLE).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunAttribute.u32(StunTypes.REQUESTED_ADDRESS_FAMILY, 2L << 24)).integrity(key).encode(), TUPLE, NOW)));
        for (int attribute : new int[] {StunTypes.DONT_FRAGMENT, 0x7ABC}) {
            StunMessage m = send(authed(StunTypes.ALLOCATE, TUPLE).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                    .add(attribute, new byte[attribute == StunTypes.DONT_FRAGMENT ? 0 : 1])
                    .integrity(key).encode(), TUPLE, NOW);
            assertEquals(420, errorOf(m));
            byte[] unknown = m.get(StunTypes.UNKNOWN_ATTRIBUTES).orElseThrow().value();
            assertEquals(attribute, ((unknown[0] & 0xFF) << 8) | (unknown[1] & 0xFF));
        }
        assertTrue(allocate(TUPLE).messageClass() == StunTypes.SUCCESS);
        FiveTuple second = new FiveTuple(new InetSocketAddress("198.51.100.7", 50001), TUPLE.server(), TUPLE.transport());
        FiveTuple third = new FiveTuple(new InetSocketAddress("198.51.100.7", 50002), TUPLE.server(), TUPLE.transport());
        nonce = null;
        assertEquals(StunTypes.SUCCESS, allocate(second).messageClass());
        nonce = null;
        assertEquals(486, errorOf(allocate(third)), "two allocations per user");
    }

    @Test
    void aRetransmittedAllocateGetsTheSameSuccessAndAnotherUserCannotTouchTheAllocation() {
        authed(StunTypes.ALLOCATE, TUPLE);
        byte[] request = authed(StunTypes.ALLOCATE, TUPLE).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .integrity(key).fingerprint().encode();
        StunMessage first = send(request, TUPLE, NOW);
        StunMessage again = send(request, TUPLE, NOW + 500); // its success was lost: the client sends it again
        assertEquals(StunTypes.SUCCESS, again.messageClass(), again.toString());
        assertArrayEquals(first.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(),
                again.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(), "the same allocation");
        // Mallory has valid credentials of her own but spoofs alice's address: 441, nothing changes.
        TurnCredentials.Credential mallory = credentials.mint(1_400_000_000L, "mallory", 3600, NOW / 1000);
        byte[] malloryKey = StunIntegrity.longTermKey(mallory.username(), REALM, mallory.password());
        StunMessage refused = send(StunEncoder.message(StunTypes.REFRESH, StunTypes.REQUEST, tid())
                .add(StunAttribute.u32(StunTypes.LIFETIME, 0))
                .add(StunAttribute.text(StunTypes.USERNAME, mallory.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                .integrity(malloryKey).encode(), TUPLE, NOW);
        assertEquals(441, errorOf(refused));
        assertEquals(StunTypes.SUCCESS, send(authed(StunTypes.REFRESH, TUPLE).integrity(key).encode(), TUPLE, NOW)
                .messageClass(), "alice's allocation is still there");
    }

    @Test
    void anAllocationOutlivesItsCredentialsValidityForItsOwnUser() {
        TurnCredentials.Credential shortLived = credentials.mint(1_400_000_000L, "alice", 60, NOW / 1000);
        byte[] k = StunIntegrity.longTermKey(shortLived.username(), REALM, shortLived.password());
        authed(StunTypes.ALLOCATE, TUPLE);
        StunEncoder allocate = StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunAttribute.text(StunTypes.USERNAME, shortLived.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce));
        assertEquals(StunTypes.SUCCESS, send(allocate.integrity(k).encode(), TUPLE, NOW).messageClass());
        long later = NOW + 120_000; // the username has expired, the allocation has not
        String fresh = send(StunEncoder.message(StunTypes.REFRESH, StunTypes.REQUEST, tid()).encode(), TUPLE, later)
                .get(StunTypes.NONCE).orElseThrow().asText();
        StunMessage refreshed = send(StunEncoder.message(StunTypes.REFRESH, StunTypes.REQUEST, tid())
                .add(StunAttribute.text(StunTypes.USERNAME, shortLived.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, fresh))
                .integrity(k).encode(), TUPLE, later);
        assertEquals(StunTypes.SUCCESS, refreshed.messageClass(), refreshed.toString());
        FiveTuple elsewhere = new FiveTuple(new InetSocketAddress("198.51.100.77", 1), TUPLE.server(), TUPLE.transport());
        String nonce2 = send(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid()).encode(), elsewhere, later)
                .get(StunTypes.NONCE).orElseThrow().asText();
        assertEquals(401, errorOf(send(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunAttribute.text(StunTypes.USERNAME, shortLived.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce2))
                .integrity(k).encode(), elsewhere, later)), "but no new allocation with an expired username");
    }

    @Test
    void ipv6PeersGet443() throws Exception {
        allocate(TUPLE);
        byte[] t = tid();
        assertEquals(443, errorOf(send(StunEncoder.message(StunTypes.CREATE_PERMISSION, StunTypes.REQUEST, t)
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(new InetSocketAddress(InetAddress.getByName("2001:db8::9"), 5000), t))
                .add(StunAttribute.text(StunTypes.USERNAME, alice.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                .integrity(key).encode(), TUPLE, NOW)));
    }

    @Test
    void evenPortsAndReservationTokens() {
        authed(StunTypes.ALLOCATE, TUPLE);
        StunMessage first = send(authed(StunTypes.ALLOCATE, TUPLE).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunTypes.EVEN_PORT, new byte[] {(byte) 0x80}).integrity(key).encode(), TUPLE, NOW);
        assertEquals(StunTypes.SUCCESS, first.messageClass(), first.toString());
        int port = XorAddress.decode(first.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(), first.transactionId()).getPort();
        assertEquals(0, port % 2, "an even port");
        byte[] token = first.get(StunTypes.RESERVATION_TOKEN).orElseThrow().value();
        assertEquals(8, token.length);
        FiveTuple rtcp = new FiveTuple(new InetSocketAddress("198.51.100.7", 50001), TUPLE.server(), TUPLE.transport());
        nonce = null;
        StunMessage second = send(authed(StunTypes.ALLOCATE, rtcp).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunTypes.RESERVATION_TOKEN, token).integrity(key).encode(), rtcp, NOW);
        assertEquals(StunTypes.SUCCESS, second.messageClass(), second.toString());
        assertEquals(port + 1, XorAddress.decode(second.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(),
                second.transactionId()).getPort(), "the reserved next port");
        // Room for another of alice's allocations, then the spent token again.
        assertEquals(0, send(authed(StunTypes.REFRESH, rtcp).add(StunAttribute.u32(StunTypes.LIFETIME, 0)).integrity(key).encode(),
                rtcp, NOW).get(StunTypes.LIFETIME).orElseThrow().asU32());
        FiveTuple third = new FiveTuple(new InetSocketAddress("198.51.100.9", 50002), TUPLE.server(), TUPLE.transport());
        nonce = null;
        assertEquals(508, errorOf(send(authed(StunTypes.ALLOCATE, third).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunTypes.RESERVATION_TOKEN, token).integrity(key).encode(), third, NOW)), "a token is used once");
        assertEquals(400, errorOf(send(authed(StunTypes.ALLOCATE, third).add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24))
                .add(StunTypes.EVEN_PORT, new byte[] {0}).add(StunTypes.RESERVATION_TOKEN, token).integrity(key).encode(), third, NOW)),
                "both at once");
    }

    @Test
    void permissionsSendAndDataIndications() {
        allocate(TUPLE);
        assertEquals(403, errorOf(send(authed(StunTypes.CREATE_PERMISSION, TUPLE)
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(new InetSocketAddress("127.0.0.1", 9), tidOf()))
                .integrity(key).encode(), TUPLE, NOW)), "no relaying to loopback");
        byte[] payload = {1, 2, 3, 4, 5};
        byte[] sendTid = tid();
        byte[] indication = StunEncoder.message(StunTypes.SEND, StunTypes.INDICATION, sendTid)
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(PEER, sendTid)).add(StunTypes.DATA_ATTR, payload).encode();
        assertTrue(handler.fromClient(TUPLE, indication, 0, indication.length, NOW).isEmpty(), "no permission yet");
        byte[] permTid = tid();
        StunMessage ok = send(authed(StunTypes.CREATE_PERMISSION, TUPLE).add(StunTypes.XOR_PEER_ADDRESS, new byte[0]).encode(),
                TUPLE, NOW); // (no integrity: challenged)
        assertEquals(401, errorOf(ok));
        ok = send(StunEncoder.message(StunTypes.CREATE_PERMISSION, StunTypes.REQUEST, permTid)
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(PEER, permTid))
                .add(StunAttribute.text(StunTypes.USERNAME, alice.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                .integrity(key).encode(), TUPLE, NOW);
        assertEquals(StunTypes.SUCCESS, ok.messageClass(), ok.toString());
        List<TurnHandler.Output> out = handler.fromClient(TUPLE, indication, 0, indication.length, NOW);
        TurnHandler.ToPeer toPeer = (TurnHandler.ToPeer) out.get(0);
        assertEquals(PEER, toPeer.peer());
        assertArrayEquals(payload, toPeer.data());
        // The peer answers from another port of the same IP: permitted (permissions are by IP).
        InetSocketAddress samePeerOtherPort = new InetSocketAddress(PEER.getAddress(), 6001);
        StunMessage data = one(handler.fromPeer(toPeer.relayPort(), samePeerOtherPort, new byte[] {9, 9}, 0, 2, NOW));
        assertEquals(StunTypes.DATA, data.method());
        assertEquals(StunTypes.INDICATION, data.messageClass());
        assertEquals(samePeerOtherPort, XorAddress.decode(data.get(StunTypes.XOR_PEER_ADDRESS).orElseThrow().value(), data.transactionId()));
        assertArrayEquals(new byte[] {9, 9}, data.get(StunTypes.DATA_ATTR).orElseThrow().value());
        assertTrue(handler.fromPeer(toPeer.relayPort(), new InetSocketAddress("203.0.113.99", 1), new byte[1], 0, 1, NOW).isEmpty(),
                "a peer without permission is dropped");
        assertTrue(handler.fromPeer(toPeer.relayPort(), PEER, new byte[1], 0, 1, NOW + 300_000).isEmpty(),
                "permissions expire after 5 minutes");
    }

    byte[] tidOf() {
        return new byte[12];
    }

    @Test
    void channelsBothWaysWithTcpPadding() {
        for (FiveTuple.Transport transport : FiveTuple.Transport.values()) {
            FiveTuple t = new FiveTuple(TUPLE.client(), TUPLE.server(), transport);
            nonce = null;
            assertEquals(StunTypes.SUCCESS, allocate(t).messageClass());
            byte[] bindTid = tid();
            StunMessage bound = send(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, bindTid)
                    .add(StunTypes.CHANNEL_NUMBER, new byte[] {0x40, 0x01, 0, 0})
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(PEER, bindTid))
                    .add(StunAttribute.text(StunTypes.USERNAME, alice.username()))
                    .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                    .integrity(key).encode(), t, NOW);
            assertEquals(StunTypes.SUCCESS, bound.messageClass(), bound.toString());
            byte[] frame = ChannelData.encode(0x4001, new byte[] {7, 7, 7}, 0, 3, transport == FiveTuple.Transport.TCP);
            TurnHandler.ToPeer toPeer = (TurnHandler.ToPeer) handler.fromClient(t, frame, 0, frame.length, NOW).get(0);
            assertEquals(PEER, toPeer.peer());
            assertArrayEquals(new byte[] {7, 7, 7}, toPeer.data());
            TurnHandler.ToClient back = (TurnHandler.ToClient) handler.fromPeer(toPeer.relayPort(), PEER, new byte[] {5, 6, 7, 8, 9}, 0, 5, NOW).get(0);
            assertEquals(0x4001, ChannelData.channel(back.bytes(), 0, back.bytes().length));
            assertEquals(transport == FiveTuple.Transport.TCP ? 12 : 9, back.bytes().length, "padded over TCP only");
            byte[] unbound = ChannelData.encode(0x4002, new byte[] {1}, 0, 1, false);
            assertTrue(handler.fromClient(t, unbound, 0, unbound.length, NOW).isEmpty(), "an unbound channel is dropped");
            byte[] badTid = tid();
            assertEquals(400, errorOf(send(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, badTid)
                    .add(StunTypes.CHANNEL_NUMBER, new byte[] {0x30, 0x00, 0, 0})
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(PEER, badTid))
                    .add(StunAttribute.text(StunTypes.USERNAME, alice.username()))
                    .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                    .integrity(key).encode(), t, NOW)), "0x3000 is not a channel number");
        }
    }

    /** Binds channel 0x4001 of this tuple's allocation to that peer; returns the answer. */
    StunMessage bindChannel(FiveTuple t, InetSocketAddress peer) {
        byte[] bindTid = tid();
        return send(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, bindTid)
                .add(StunTypes.CHANNEL_NUMBER, new byte[] {0x40, 0x01, 0, 0})
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peer, bindTid))
                .add(StunAttribute.text(StunTypes.USERNAME, alice.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM)).add(StunAttribute.text(StunTypes.NONCE, nonce))
                .integrity(key).encode(), t, NOW);
    }

    @Test
    void trafficIsCountedPerAllocationAndInTotal() {
        allocate(TUPLE);
        assertEquals(StunTypes.SUCCESS, bindChannel(TUPLE, PEER).messageClass());
        byte[] frame = ChannelData.encode(0x4001, new byte[100], 0, 100, false);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, handler.fromClient(TUPLE, frame, 0, frame.length, NOW).size());
        }
        int relayPort = allocations.get(TUPLE, NOW).relayPort();
        assertEquals(1, handler.fromPeer(relayPort, PEER, new byte[40], 0, 40, NOW).size());
        assertEquals(new org.opencalling.relay.allocation.Allocation.Traffic(3, 300, 1, 40, 0),
                allocations.get(TUPLE, NOW).traffic());
        assertEquals(new org.opencalling.relay.allocation.Allocation.Traffic(3, 300, 1, 40, 0), handler.relayed());
    }

    @Test
    void theBandwidthCapDropsWhatIsOverItEachWayAndRefillsWithTime() {
        Allocations capped = new Allocations(Allocations.Limits.standard(2, 100).withMaxBytesPerSecond(1000),
                new PortPool(49152, 49160));
        TurnHandler h = new TurnHandler(capped, new PeerPolicy(List.of()), new StatelessNonce("k".getBytes(), 600_000),
                credentials, REALM, address("192.0.2.10"));
        handler = h; // allocate() and bindChannel() talk to it
        allocate(TUPLE);
        assertEquals(StunTypes.SUCCESS, bindChannel(TUPLE, PEER).messageClass());
        byte[] frame = ChannelData.encode(0x4001, new byte[400], 0, 400, false);
        int sent = 0;
        for (int i = 0; i < 5; i++) {
            sent += h.fromClient(TUPLE, frame, 0, frame.length, NOW).size();
        }
        assertEquals(2, sent, "1000 bytes/s with one second of burst: two 400-byte packets");
        int relayPort = capped.get(TUPLE, NOW).relayPort();
        assertEquals(1, h.fromPeer(relayPort, PEER, new byte[900], 0, 900, NOW).size(),
                "the other direction has its own budget");
        assertTrue(h.fromPeer(relayPort, PEER, new byte[900], 0, 900, NOW).isEmpty());
        assertEquals(1, h.fromClient(TUPLE, frame, 0, frame.length, NOW + 500).size(), "half a second: 500 more bytes");
        assertEquals(4, h.relayed().droppedOverCap());
        assertEquals(4, capped.get(TUPLE, NOW).traffic().droppedOverCap());
    }

    @Test
    void theRelayItselfIsNeverAPeerButItsRelayedPortsAre() {
        InetSocketAddress ownListener = new InetSocketAddress("203.0.113.1", 3478);
        handler.ownAddresses(java.util.Set.of(ownListener.getAddress()), java.util.Set.of(3478, 443),
                p -> p >= 49152);
        allocate(TUPLE);
        assertEquals(403, errorOf(bindChannel(TUPLE, ownListener)), "a channel to the relay's own TURN port");
        assertEquals(403, errorOf(bindChannel(TUPLE, new InetSocketAddress("192.0.2.10", 443))),
                "the advertised address is the relay's own; 443 is a configured port even if not bound");
        assertEquals(403, errorOf(bindChannel(TUPLE, new InetSocketAddress("203.0.113.1", 53))),
                "any other service on the relay's own address");
        assertEquals(StunTypes.SUCCESS, bindChannel(TUPLE, new InetSocketAddress("203.0.113.1", 50000)).messageClass(),
                "another allocation's relayed port on the same relay is a fine peer (relay to relay)");
        byte[] sendTid = tid();
        byte[] indication = StunEncoder.message(StunTypes.SEND, StunTypes.INDICATION, sendTid)
                .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(ownListener, sendTid))
                .add(StunTypes.DATA_ATTR, new byte[] {1}).encode();
        assertTrue(handler.fromClient(TUPLE, indication, 0, indication.length, NOW).isEmpty(),
                "a Send indication to the relay's own port is dropped, although the IP is permitted");
        assertEquals(1, handler.counters().get("dropped.to-relay-listener").get());
        assertEquals(3, handler.counters().get("refused.peer.relay-listener").get());
    }

    @Test
    void onLoopbackWhenAllowedOnlyTheClientFacingPortsAreRefused() {
        TurnHandler loopbackOk = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                new StatelessNonce("k".getBytes(), 600_000), credentials, REALM, address("192.0.2.10"));
        loopbackOk.ownAddresses(java.util.Set.of(address("127.0.0.1")), java.util.Set.of(3478), p -> p >= 49152);
        handler = loopbackOk;
        allocate(TUPLE);
        assertEquals(403, errorOf(bindChannel(TUPLE, new InetSocketAddress("127.0.0.2", 3478))),
                "any loopback address on a client-facing port");
        assertEquals(StunTypes.SUCCESS, bindChannel(TUPLE, new InetSocketAddress("127.0.0.1", 7000)).messageClass(),
                "a peer process on loopback (tests, the local demo)");
    }

    @Test
    void bindingAndGarbage() {
        byte[] request = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, tid()).fingerprint().encode();
        StunMessage m = send(request, TUPLE, NOW);
        assertEquals(StunTypes.SUCCESS, m.messageClass());
        assertEquals(TUPLE.client(), XorAddress.decode(m.get(StunTypes.XOR_MAPPED_ADDRESS).orElseThrow().value(), m.transactionId()));
        java.util.Random random = new java.util.Random(8656);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(200)];
            random.nextBytes(junk);
            handler.fromClient(TUPLE, junk, 0, junk.length, NOW); // never throws
            handler.fromPeer(49152 + random.nextInt(9), PEER, junk, 0, junk.length, NOW);
        }
        assertTrue(handler.counters().get("dropped.malformed").get() > 1000);
    }
}
