package org.opencalling.relay.net;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.opencalling.stun.StunAttribute;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunIntegrity;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.stun.XorAddress;

/** A blocking TURN client for tests, over UDP or TCP: allocate, then ask what it likes. */
public final class TestTurnClient implements AutoCloseable {
    private final DatagramSocket udp;
    private final Socket tcp;
    private final InetSocketAddress server;
    private final TurnCredentials.Credential credential;
    private final String realm;
    private String nonce;
    private byte[] key;

    private TestTurnClient(DatagramSocket udp, Socket tcp, InetSocketAddress server, TurnCredentials.Credential credential,
                           String realm) {
        this.udp = udp;
        this.tcp = tcp;
        this.server = server;
        this.credential = credential;
        this.realm = realm;
    }

    public static TestTurnClient udp(InetSocketAddress server, TurnCredentials.Credential c, String realm) throws IOException {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        s.setSoTimeout(5000);
        return new TestTurnClient(s, null, server, c, realm);
    }

    public static TestTurnClient tcp(InetSocketAddress server, TurnCredentials.Credential c, String realm) throws IOException {
        Socket s = new Socket(server.getAddress(), server.getPort());
        s.setSoTimeout(5000);
        return new TestTurnClient(null, s, server, c, realm);
    }

    public static byte[] tid() {
        byte[] t = new byte[12];
        ThreadLocalRandom.current().nextBytes(t);
        return t;
    }

    /** Sends a request (authenticated once a nonce is known) and returns the answer. */
    public StunMessage request(StunEncoder e) throws IOException {
        if (nonce != null) {
            e.add(StunAttribute.text(StunTypes.USERNAME, credential.username()))
                    .add(StunAttribute.text(StunTypes.REALM, realm))
                    .add(StunAttribute.text(StunTypes.NONCE, nonce)).integrity(key);
        }
        return exchange(e.fingerprint().encode());
    }

    /** Allocate (after the 401 that gives the nonce); returns the relayed address. */
    public InetSocketAddress allocate() throws IOException {
        StunMessage challenge = request(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)));
        nonce = challenge.get(StunTypes.NONCE).orElseThrow().asText();
        key = StunIntegrity.longTermKey(credential.username(), realm, credential.password());
        StunMessage ok = request(StunEncoder.message(StunTypes.ALLOCATE, StunTypes.REQUEST, tid())
                .add(StunAttribute.u32(StunTypes.REQUESTED_TRANSPORT, 17L << 24)));
        if (ok.messageClass() != StunTypes.SUCCESS) {
            throw new IOException("Allocate failed: " + ok);
        }
        return XorAddress.decode(ok.get(StunTypes.XOR_RELAYED_ADDRESS).orElseThrow().value(), ok.transactionId());
    }

    /** Sends raw bytes (ChannelData, say) on the UDP socket. */
    public void sendRaw(byte[] packet) throws IOException {
        udp.send(new DatagramPacket(packet, packet.length, server));
    }

    /** The next datagram from the relay within the time, whatever it is. */
    public byte[] receiveRaw(int timeoutMillis) throws IOException {
        udp.setSoTimeout(timeoutMillis);
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    /** Whether the TCP connection was closed by the relay (reads until EOF or the timeout). */
    public boolean closedByRelay() throws IOException {
        try {
            return tcp.getInputStream().read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    private StunMessage exchange(byte[] request) throws IOException {
        byte[] answer;
        if (udp != null) {
            udp.setSoTimeout(1500);
            byte[] buf = new byte[65536];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            for (int attempt = 0; ; attempt++) { // UDP: retransmit, as a real client does (RFC 8489 §6.2.1)
                udp.send(new DatagramPacket(request, request.length, server));
                try {
                    udp.receive(p);
                    // Only the answer to this transaction (not a stray ChannelData or Data indication).
                    if (p.getLength() >= 20 && Arrays.equals(Arrays.copyOfRange(buf, 8, 20), Arrays.copyOfRange(request, 8, 20))) {
                        break;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    if (attempt >= 3) {
                        throw e;
                    }
                }
            }
            answer = Arrays.copyOf(buf, p.getLength());
        } else {
            OutputStream out = tcp.getOutputStream();
            out.write(request);
            out.flush();
            DataInputStream in = new DataInputStream(tcp.getInputStream());
            byte[] header = new byte[20];
            in.readFully(header);
            int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            answer = Arrays.copyOf(header, 20 + length);
            in.readFully(answer, 20, length);
        }
        StunDecoder.Result r = new StunDecoder().decode(answer);
        if (!r.ok()) {
            throw new IOException("not STUN: " + r.error());
        }
        return r.message();
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            tcp.close();
        }
    }
}
