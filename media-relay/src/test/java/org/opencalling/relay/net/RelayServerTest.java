package org.opencalling.relay.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.allocation.PortPool;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.relay.turn.TurnHandler;
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

/** TURN over real loopback UDP sockets: a client allocates, a peer socket talks to it through the relay. */
class RelayServerTest {
    static final String REALM = "opencalling";
    final InetAddress loopback = InetAddress.getLoopbackAddress();
    final TurnCredentials credentials = new TurnCredentials("udp-test-secret");
    final Allocations allocations = new Allocations(Allocations.Limits.standard(5, 50), freeRange());
    RelayServer relay;

    static PortPool freeRange() {
        int base = 42000 + ThreadLocalRandom.current().nextInt(200) * 10;
        return new PortPool(base, base + 9);
    }

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
    }

    static StunMessage exchange(DatagramSocket client, InetSocketAddress server, byte[] request) throws Exception {
        client.send(new DatagramPacket(request, request.length, server));
        return receiveStun(client);
    }

    static StunMessage receiveStun(DatagramSocket s) throws Exception {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        StunDecoder.Result r = new StunDecoder().decode(buf, 0, p.getLength());
        assertTrue(r.ok(), r.error());
        return r.message();
    }

    static byte[] tid() {
        byte[] t = new byte[12];
        ThreadLocalRandom.current().nextBytes(t);
        return t;
    }

    @Test
    void aLocalClientWhoseEphemeralPortLiesInTheRelayedRangeIsStillServed() throws Exception {
        // Datagrams from the relay's own relayed sockets reach only its SFU (no TURN loops); a
        // client on this machine whose port merely falls in the relayed range is not one of them.
        TurnHandler handler = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), credentials, REALM, loopback);
        relay = new RelayServer(handler, allocations, loopback, List.of(0), List.of(), System::currentTimeMillis);
        InetSocketAddress server = new InetSocketAddress(loopback, relay.udpPorts().get(0));
        DatagramSocket client = null;
        for (int port = 1024; client == null && port <= 65535; port++) {
            if (allocations.relayedPort(port)) {
                try {
                    client = new DatagramSocket(port, loopback);
                } catch (java.net.BindException busy) {
                    // taken: the next one
                }
            }
        }
        assertTrue(client != null, "a free port in the relayed range");
        try (DatagramSocket c = client) {
            c.setSoTimeout(5000);
            StunMessage answer = exchange(c, server, StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, tid()).encode());
            assertEquals(StunTypes.SUCCESS, answer.messageClass(), "answered: " + answer);
        }
    }

    @Test
    void aClientAndAPeerTalkThroughTheRelay() throws Exception {
        TurnHandler handler = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), credentials, REALM, loopback);
        relay = new RelayServer(handler, allocations, loopback, List.of(0), List.of(0), System::currentTimeMillis);
        InetSocketAddress server = new InetSocketAddress(loopback, relay.udpPorts().get(0));
        try (DatagramSocket client = new DatagramSocket(0, loopback); DatagramSocket peer = new DatagramSocket(0, loopback)) {
            client.setSoTimeout(5000);
            peer.setSoTimeout(5000);
            // 401, then the authenticated Allocate.
            StunMessage challenge = exchange(client, server, StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)).encode());
            assertEquals(401, ErrorCode.decode(challenge.get(StunTypes.ERROR_CODE).orElseThrow().value()).code());
            String nonce = challenge.get(StunTypes.NONCE).orElseThrow().asText();
            TurnCredentials.Credential cred = credentials.mint(1_400_000_000L, "alice", 600, System.currentTimeMillis() / 1000);
            byte[] key = StunIntegrity.longTermKey(cred.username(), REALM, cred.password());
            StunMessage ok = exchange(client, server, auth(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)), cred, nonce, key));
            assertEquals(StunTypes.SUCCESS, ok.messageClass(), ok.toString());
            InetSocketAddress relayed = XorAddress.decode(ok.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(), ok.transactionId());
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();

            byte[] permTid = tid();
            StunMessage permitted = exchange(client, server, auth(StunEncoder.message(StunTypes.CREATE_PERMISSION, StunTypes.REQUEST, permTid)
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peerAddress, permTid)), cred, nonce, key));
            assertEquals(StunTypes.SUCCESS, permitted.messageClass(), permitted.toString());

            // Client → peer through a Send indication: the peer sees it come from the relayed address.
            byte[] sendTid = tid();
            byte[] indication = StunEncoder.message(StunTypes.SEND, StunTypes.INDICATION, sendTid)
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peerAddress, sendTid))
                    .add(StunTypes.DATA_ATTR, "hello peer".getBytes()).encode();
            client.send(new DatagramPacket(indication, indication.length, server));
            byte[] buf = new byte[2048];
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            peer.receive(got);
            assertEquals("hello peer", new String(buf, 0, got.getLength()));
            assertEquals(relayed, got.getSocketAddress());

            // Peer → client: a Data indication.
            byte[] reply = "hello client".getBytes();
            peer.send(new DatagramPacket(reply, reply.length, relayed));
            StunMessage data = receiveStun(client);
            assertEquals(StunTypes.DATA, data.method());
            assertArrayEquals(reply, data.get(StunTypes.DATA_ATTR).orElseThrow().value());

            // A channel, then ChannelData both ways.
            byte[] bindTid = tid();
            StunMessage bound = exchange(client, server, auth(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, bindTid)
                    .add(StunTypes.CHANNEL_NUMBER, new byte[] {0x40, 0x00, 0, 0})
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peerAddress, bindTid)), cred, nonce, key));
            assertEquals(StunTypes.SUCCESS, bound.messageClass(), bound.toString());
            byte[] frame = ChannelData.encode(0x4000, "over a channel".getBytes(), 0, 14, false);
            client.send(new DatagramPacket(frame, frame.length, server));
            got = new DatagramPacket(buf, buf.length);
            peer.receive(got);
            assertEquals("over a channel", new String(buf, 0, got.getLength()));
            peer.send(new DatagramPacket(reply, reply.length, relayed));
            got = new DatagramPacket(buf, buf.length);
            client.receive(got);
            assertEquals(0x4000, ChannelData.channel(buf, 0, got.getLength()));
            assertArrayEquals(reply, Arrays.copyOfRange(buf, 4, 4 + reply.length));

            // Garbage is dropped; the relay still answers.
            byte[] junk = new byte[300];
            ThreadLocalRandom.current().nextBytes(junk);
            client.send(new DatagramPacket(junk, junk.length, server));
            StunMessage binding = exchange(client, server, StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, tid()).encode());
            assertEquals((InetSocketAddress) client.getLocalSocketAddress(),
                    XorAddress.decode(binding.get(StunTypes.XOR_MAPPED_ADDRESS).orElseThrow().value(), binding.transactionId()));

            // Refresh 0 deletes the allocation and closes its relayed port: the peer's packets go nowhere.
            StunMessage deleted = exchange(client, server, auth(StunEncoder.message(StunTypes.REFRESH, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.LIFETIME, 0)), cred, nonce, key));
            assertEquals(0, deleted.get(StunTypes.LIFETIME).orElseThrow().asU32());
            assertEquals(0, allocations.size());
            try (DatagramSocket rebind = new DatagramSocket(relayed)) {
                assertEquals(relayed.getPort(), rebind.getLocalPort(), "the relayed port was released");
            }
        }
    }

    static StunMessage readStun(java.io.DataInputStream in) throws Exception {
        byte[] header = new byte[20];
        in.readFully(header);
        int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        byte[] all = Arrays.copyOf(header, 20 + length);
        in.readFully(all, 20, length);
        StunDecoder.Result r = new StunDecoder().decode(all);
        assertTrue(r.ok(), r.error());
        return r.message();
    }

    @Test
    void overTcpFramesAreFoundWhateverTheSegmentsAndTheAllocationEndsWithTheConnection() throws Exception {
        TurnHandler handler = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), credentials, REALM, loopback);
        relay = new RelayServer(handler, allocations, loopback, List.of(), List.of(0), System::currentTimeMillis);
        try (java.net.Socket tcp = new java.net.Socket(loopback, relay.tcpPorts().get(0));
             DatagramSocket peer = new DatagramSocket(0, loopback)) {
            tcp.setSoTimeout(5000);
            peer.setSoTimeout(5000);
            java.io.DataInputStream in = new java.io.DataInputStream(tcp.getInputStream());
            java.io.OutputStream out = tcp.getOutputStream();
            // A Binding and an unauthenticated Allocate in one write; the second split over two writes.
            byte[] binding = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, tid()).encode();
            byte[] allocate = StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)).encode();
            byte[] both = Arrays.copyOf(binding, binding.length + allocate.length);
            System.arraycopy(allocate, 0, both, binding.length, allocate.length);
            out.write(both, 0, binding.length + 7);
            out.flush();
            assertEquals(StunTypes.SUCCESS, readStun(in).messageClass());
            out.write(both, binding.length + 7, allocate.length - 7);
            out.flush();
            StunMessage challenge = readStun(in);
            String nonce = challenge.get(StunTypes.NONCE).orElseThrow().asText();
            TurnCredentials.Credential cred = credentials.mint(1_400_000_000L, "tcp-user", 600, System.currentTimeMillis() / 1000);
            byte[] key = StunIntegrity.longTermKey(cred.username(), REALM, cred.password());
            out.write(auth(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                    .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)), cred, nonce, key));
            StunMessage ok = readStun(in);
            assertEquals(StunTypes.SUCCESS, ok.messageClass(), ok.toString());
            InetSocketAddress relayed = XorAddress.decode(ok.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(), ok.transactionId());
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            byte[] bindTid = tid();
            out.write(auth(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, bindTid)
                    .add(StunTypes.CHANNEL_NUMBER, new byte[] {0x40, 0x05, 0, 0})
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peerAddress, bindTid)), cred, nonce, key));
            assertEquals(StunTypes.SUCCESS, readStun(in).messageClass());
            // ChannelData with 5 bytes of data: padded to 8 on the stream, then the next frame follows.
            byte[] frame = ChannelData.encode(0x4005, "12345".getBytes(), 0, 5, true);
            out.write(Arrays.copyOf(frame, frame.length));
            out.write(ChannelData.encode(0x4005, "6789".getBytes(), 0, 4, true));
            out.flush();
            byte[] buf = new byte[100];
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            peer.receive(got);
            assertEquals("12345", new String(buf, 0, got.getLength()));
            peer.receive(got);
            assertEquals("6789", new String(buf, 0, got.getLength()));
            peer.send(new DatagramPacket("abc".getBytes(), 3, relayed));
            byte[] back = new byte[8];
            in.readFully(back); // 4 header + 3 data + 1 padding
            assertEquals(0x4005, ChannelData.channel(back, 0, 8));
            assertEquals("abc", new String(back, 4, 3));
            assertEquals(1, allocations.size());
        }
        // The connection closed: its allocation goes with it, port and all.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (allocations.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, allocations.size());
    }

    static byte[] auth(StunEncoder e, TurnCredentials.Credential cred, String nonce, byte[] key) {
        return e.add(StunAttribute.text(StunTypes.USERNAME, cred.username()))
                .add(StunAttribute.text(StunTypes.REALM, REALM))
                .add(StunAttribute.text(StunTypes.NONCE, nonce)).integrity(key).fingerprint().encode();
    }
}
