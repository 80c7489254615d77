package org.opencalling.relay.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.ChannelData;
import org.opencalling.stun.StunAttribute;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.stun.XorAddress;

/**
 * Garbage, truncated and oversized packets at every port (two UDP listeners, the TCP listener,
 * a relayed port) while a well-behaved client relays through to a peer: the relay stays up, the
 * client is served throughout, and nothing leaks.
 */
class GarbageTest {
    static final String SECRET = "garbage-test-secret";
    final InetAddress loopback = InetAddress.getLoopbackAddress();

    @Test
    void theRelayServesAWellBehavedClientThroughAStormOfBadPackets() throws Exception {
        TurnCredentials credentials = new TurnCredentials(SECRET);
        org.opencalling.relay.allocation.PortPool pool = RelayServerTest.freeRange();
        Allocations allocations = new Allocations(Allocations.Limits.standard(10, 100), pool);
        TurnHandler handler = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), credentials, "opencalling", loopback);
        try (RelayServer relay = new RelayServer(handler, allocations, loopback, List.of(0, 0), List.of(0),
                System::currentTimeMillis, 2);
             DatagramSocket peer = new DatagramSocket(0, loopback);
             TestTurnClient good = TestTurnClient.udp(new InetSocketAddress(loopback, relay.udpPorts().get(0)),
                     credentials.mint(1_400_000_000L, "good", 600, System.currentTimeMillis() / 1000), "opencalling")) {
            InetSocketAddress relayed = good.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            byte[] bindTid = TestTurnClient.tid();
            StunMessage bound = good.request(StunEncoder.message(StunTypes.CHANNEL_BIND, StunTypes.REQUEST, bindTid)
                    .add(StunTypes.CHANNEL_NUMBER, new byte[] {0x40, 0x00, 0, 0})
                    .add(StunTypes.XOR_PEER_ADDRESS, XorAddress.encode(peerAddress, bindTid)));
            assertEquals(StunTypes.SUCCESS, bound.messageClass(), bound.toString());

            List<InetSocketAddress> targets = new ArrayList<>();
            relay.udpPorts().forEach(p -> targets.add(new InetSocketAddress(loopback, p)));
            targets.add(relayed); // from a peer without permission
            AtomicBoolean storming = new AtomicBoolean(true);
            AtomicLong thrown = new AtomicLong();
            Thread udpStorm = new Thread(() -> {
                Random r = new Random(42);
                try (DatagramSocket bad = new DatagramSocket(0, InetAddress.getByName("127.0.0.2"))) { // not the permitted peer IP
                    while (storming.get()) {
                        for (byte[] b : badPackets(r)) {
                            for (InetSocketAddress t : targets) {
                                if (b.length > 2000 && t.equals(relayed)) {
                                    continue; // the relayed port gets small junk: its buffer is an allocation's share
                                }
                                bad.send(new DatagramPacket(b, b.length, t));
                                thrown.incrementAndGet();
                            }
                        }
                        Thread.sleep(1); // a storm, not a flood that only measures the kernel's buffers
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread tcpStorm = new Thread(() -> {
                Random r = new Random(7);
                int port = relay.tcpPorts().get(0);
                while (storming.get()) {
                    try (Socket s = new Socket(loopback, port)) {
                        OutputStream out = s.getOutputStream();
                        int kind = r.nextInt(4);
                        byte[] stun = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, TestTurnClient.tid()).encode();
                        if (kind == 0) { // random bytes: not STUN, not ChannelData, the stream is dropped
                            byte[] junk = new byte[1 + r.nextInt(3000)];
                            r.nextBytes(junk);
                            junk[0] = (byte) 0xC5;
                            out.write(junk);
                        } else if (kind == 1) { // a header promising 64 KiB, then silence and close
                            out.write(new byte[] {0, 1, (byte) 0xFF, (byte) 0xFF});
                            out.write(Arrays.copyOf(stun, 20), 4, 16);
                        } else if (kind == 2) { // truncated STUN
                            out.write(stun, 0, 11);
                        } else { // ChannelData for a channel nobody bound, then garbage
                            out.write(ChannelData.encode(0x4321, new byte[50], 0, 50, true));
                            out.write(new byte[] {(byte) 0xFF, 0, 0, 0});
                        }
                        out.flush();
                        thrown.incrementAndGet();
                    } catch (java.io.IOException e) {
                        // the relay may close first: that is the point
                    }
                }
            });
            udpStorm.start();
            tcpStorm.start();
            try {
                // The good client's traffic, each message checked at the peer and on its way back.
                byte[] buf = new byte[2048];
                peer.setSoTimeout(2000);
                for (int i = 0; i < 1000; i++) {
                    byte[] payload = ("message " + i).getBytes();
                    byte[] frame = ChannelData.encode(0x4000, payload, 0, payload.length, false);
                    DatagramPacket got = new DatagramPacket(buf, buf.length);
                    for (int attempt = 0; ; attempt++) { // loopback may drop under the storm: a client retries
                        good.sendRaw(frame);
                        try {
                            peer.receive(got);
                            if (Arrays.equals(payload, Arrays.copyOf(buf, got.getLength()))) {
                                break;
                            }
                        } catch (SocketTimeoutException e) {
                            assertTrue(attempt < 3, "message " + i + " never reached the peer");
                        }
                    }
                    for (int attempt = 0; ; attempt++) { // the same on the way back
                        peer.send(new DatagramPacket(payload, payload.length, relayed));
                        try {
                            byte[] back = good.receiveRaw(1000);
                            assertEquals(0x4000, ChannelData.channel(back, 0, back.length));
                            if (Arrays.equals(payload, Arrays.copyOfRange(back, 4, back.length))) {
                                break;
                            }
                        } catch (SocketTimeoutException e) {
                            assertTrue(attempt < 3, "message " + i + " never came back to the client");
                        }
                    }
                }
            } finally {
                storming.set(false);
                udpStorm.join(5000);
                tcpStorm.join(5000);
            }
            assertTrue(thrown.get() > 1000, "the storm was real: " + thrown.get());
            assertTrue(handler.counters().get("dropped.malformed").get() > 100, handler.counters().toString());
            assertTrue(handler.counters().get("dropped.from-peer-without-permission").get() > 100, handler.counters().toString());
            // Still serving, and nothing left behind: only the good client's allocation.
            StunMessage binding = good.request(StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, TestTurnClient.tid()));
            assertEquals(StunTypes.SUCCESS, binding.messageClass());
            assertEquals(1, allocations.size());
            assertEquals(1, pool.inUse(), "one relayed port taken, the good client's");
            assertTrue(handler.relayed().packetsToClient() >= 1000, "every answer relayed");
        }
    }

    /** Random bytes, truncated and lying STUN headers, oversized datagrams, bad ChannelData. */
    static List<byte[]> badPackets(Random r) {
        List<byte[]> out = new ArrayList<>();
        byte[] junk = new byte[1 + r.nextInt(1400)];
        r.nextBytes(junk);
        out.add(junk);
        byte[] stun = StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, TestTurnClient.tid())
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)).fingerprint().encode();
        out.add(Arrays.copyOf(stun, 1 + r.nextInt(stun.length - 1))); // truncated
        byte[] lying = stun.clone();
        lying[2] = (byte) 0x7F; // a length far beyond the datagram
        out.add(lying);
        byte[] mutated = stun.clone();
        mutated[20 + r.nextInt(stun.length - 20)] ^= (byte) (1 + r.nextInt(255)); // bad attributes or fingerprint
        out.add(mutated);
        out.add(new byte[60_000]); // oversized: zeros, a STUN-looking header with a wrong cookie
        out.add(ChannelData.encode(0x4000, new byte[10], 0, 10, false)); // a channel of no allocation of this sender
        byte[] shortChannel = {0x40, 0x00, 0x05, (byte) 0xDC, 1, 2}; // claims 1500 bytes, has 2
        out.add(shortChannel);
        return out;
    }
}
