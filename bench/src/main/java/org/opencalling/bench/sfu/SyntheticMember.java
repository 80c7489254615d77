package org.opencalling.bench.sfu;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.opencalling.relay.sfu.dtls.DtlsIdentity;
import org.opencalling.relay.sfu.srtp.SrtpKeys;
import org.opencalling.relay.sfu.srtp.SrtpProfile;
import org.opencalling.relay.sfu.srtp.SrtpSession;
import org.opencalling.stun.StunEncoder;
import org.opencalling.stun.StunIntegrity;
import org.opencalling.stun.StunTypes;

/**
 * A group-call member without a browser, for load: it answers the SFU's offers as a browser does
 * (its own m-lines sendonly, the others' recvonly), makes the ICE check, the DTLS 1.2 handshake
 * with use_srtp (bctls, as a client, with its own certificate), then sends SRTP audio and video
 * at a set bitrate and counts what the SFU forwards to it. It does not decrypt what it receives
 * (the SFU's cost is what is measured, not this one's); it keeps consent with a check every 5 s.
 */
public final class SyntheticMember implements AutoCloseable {
    static final int OPUS = 111;
    private static final SecureRandom RANDOM = new SecureRandom();

    final String room;
    final String user;
    private final DatagramSocket socket;
    private final String ufrag = random(8);
    private final String pwd = random(24);
    private final DtlsIdentity identity = DtlsIdentity.generate();
    final long audioSsrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    final long videoSsrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    private volatile InetSocketAddress sfu;
    private volatile String sfuUfrag;
    private volatile String sfuPwd;
    private volatile int videoPayloadType = 96;
    private volatile SrtpSession out;
    volatile SrtpProfile profile;
    private volatile boolean closed;
    private int audioSequence;
    private int videoSequence;
    private long timestamp;
    final LongAdder packetsSent = new LongAdder();
    public final LongAdder packetsIn = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder offersAnswered = new LongAdder();

    public SyntheticMember(String room, String user) throws IOException {
        this.room = room;
        this.user = user;
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setReceiveBufferSize(1 << 20);
    }

    /** The answer to an SFU offer; the first offer also tells us where and how to reach the SFU. */
    public String answer(String offer) {
        if (sfu == null) {
            String candidate = offer.replaceAll("(?s).*?a=candidate:\\S+ 1 udp \\d+ (\\S+) (\\d+) typ host.*", "$1 $2");
            String[] hostPort = candidate.split(" ");
            sfu = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            sfuUfrag = offer.replaceAll("(?s).*?a=ice-ufrag:(\\S+).*", "$1");
            sfuPwd = offer.replaceAll("(?s).*?a=ice-pwd:(\\S+).*", "$1");
        }
        StringBuilder a = new StringBuilder("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
        for (String m : offer.split("\r\nm=")) {
            if (!m.startsWith("audio") && !m.startsWith("video")) {
                continue;
            }
            boolean audio = m.startsWith("audio");
            int pt = Integer.parseInt(m.replaceAll("(?s)^\\S+ \\d+ \\S+ (\\d+).*", "$1"));
            if (!audio) {
                videoPayloadType = pt;
            }
            String mid = m.replaceAll("(?s).*a=mid:(\\S+).*", "$1");
            a.append("m=").append(audio ? "audio" : "video").append(" 9 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n");
            a.append("c=IN IP4 0.0.0.0\r\na=ice-ufrag:").append(ufrag).append("\r\na=ice-pwd:").append(pwd).append("\r\n");
            a.append("a=fingerprint:sha-256 ").append(identity.fingerprint()).append("\r\n");
            a.append("a=setup:active\r\na=mid:").append(mid).append("\r\na=rtcp-mux\r\n");
            if (m.contains("a=recvonly")) {
                a.append("a=sendonly\r\na=ssrc:").append(audio ? audioSsrc : videoSsrc).append(" cname:").append(user).append("\r\n");
            } else if (m.contains("a=sendonly")) {
                a.append("a=recvonly\r\n");
            } else {
                a.append("a=inactive\r\n");
            }
        }
        return a.toString();
    }

    /** ICE (a nominated check, answered), then DTLS; afterwards media may flow. */
    public void connect() throws IOException {
        socket.setSoTimeout(200);
        byte[] buf = new byte[2048];
        boolean checked = false;
        for (int attempt = 0; attempt < 50 && !checked; attempt++) {
            send(check(true));
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                checked = p.getLength() >= 20 && buf[0] == 1 && buf[1] == 1; // a Binding success
            } catch (SocketTimeoutException e) {
                // the answer (and so our credentials) may not have reached the node yet: again
            }
        }
        if (!checked) {
            throw new IOException(user + ": no answer to the ICE check");
        }
        socket.setSoTimeout(0);
        Client client = new Client(identity);
        new DTLSClientProtocol().connect(client, new Transport());
        profile = SrtpProfile.byId(client.profile);
        out = SrtpKeys.fromExporter(profile, client.exported).clientSession();
        Thread receiver = new Thread(this::receive, "member-" + room + "-" + user);
        receiver.setDaemon(true);
        receiver.start();
    }

    /** One 20 ms tick of media: an audio packet and as many video packets as the bitrate needs. */
    public void tick(int videoBytesPerTick) throws IOException {
        SrtpSession s = out;
        if (s == null || closed) {
            return;
        }
        timestamp += 960; // 20 ms at 48 kHz (the video clock runs at 90 kHz, close enough for a load)
        send(s, rtp(OPUS, audioSequence++, timestamp, audioSsrc, 120, true));
        for (int left = videoBytesPerTick; left > 0; left -= 1100) {
            send(s, rtp(videoPayloadType, videoSequence++, timestamp * 15 / 8, videoSsrc, Math.min(1100, left), left <= 1100));
        }
    }

    /** A consent check (RFC 7675): without one every 30 s the SFU stops sending. */
    public void keepConsent() throws IOException {
        send(check(false));
    }

    private void send(SrtpSession s, byte[] plain) throws IOException {
        byte[] p = s.protectRtp(plain, 0, plain.length);
        if (p != null) {
            send(p);
            packetsSent.increment();
        }
    }

    private void send(byte[] b) throws IOException {
        socket.send(new DatagramPacket(b, b.length, sfu));
    }

    private static byte[] rtp(int pt, int sequence, long timestamp, long ssrc, int payload, boolean marker) {
        byte[] b = new byte[12 + payload];
        b[0] = (byte) 0x80;
        b[1] = (byte) ((marker ? 0x80 : 0) | pt);
        b[2] = (byte) (sequence >> 8);
        b[3] = (byte) sequence;
        for (int i = 0; i < 4; i++) {
            b[4 + i] = (byte) (timestamp >> (24 - 8 * i));
            b[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        }
        b[12] = (byte) 0x90; // something payload-like; the SFU never looks inside
        return b;
    }

    private byte[] check(boolean nominate) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        StunEncoder e = StunEncoder.message(StunTypes.BINDING, StunTypes.REQUEST, id)
                .add(StunTypes.USERNAME, (sfuUfrag + ":" + ufrag).getBytes(StandardCharsets.UTF_8))
                .add(StunTypes.PRIORITY, new byte[] {0x6e, 0, 0x1e, (byte) 0xff})
                .add(StunTypes.ICE_CONTROLLING, id.clone());
        if (nominate) {
            e.add(StunTypes.USE_CANDIDATE, new byte[0]);
        }
        return e.integrity(StunIntegrity.shortTermKey(sfuPwd)).fingerprint().encode();
    }

    private void receive() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!closed) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
                int b1 = buf[1] & 0xFF;
                if ((buf[0] & 0xC0) == 0x80 && (b1 < 192 || b1 > 223)) { // RTP, not RTCP (RFC 5761)
                    packetsIn.increment();
                    bytesIn.add(p.getLength());
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }

    private static String random(int n) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return s.toString();
    }

    /** The socket as bctls's datagram transport, for the handshake only (nothing else arrives then). */
    private final class Transport implements DatagramTransport {
        @Override
        public int getReceiveLimit() {
            return 1500;
        }

        @Override
        public int getSendLimit() {
            return 1200;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            DatagramPacket p = new DatagramPacket(buf, off, len);
            socket.setSoTimeout(Math.max(1, waitMillis));
            try {
                while (true) {
                    socket.receive(p);
                    int first = buf[off] & 0xFF;
                    if (first >= 20 && first <= 63) {
                        return p.getLength(); // DTLS; a stray STUN answer is skipped
                    }
                    p.setData(buf, off, len);
                }
            } catch (SocketTimeoutException e) {
                return -1;
            } finally {
                socket.setSoTimeout(0);
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            socket.send(new DatagramPacket(buf, off, len, sfu));
        }

        @Override
        public void close() {
        }
    }

    /** DTLS 1.2 client offering the profiles browsers offer; the server's certificate is not checked (a load tool). */
    private static final class Client extends DefaultTlsClient {
        private final DtlsIdentity identity;
        private final BcTlsCrypto crypto;
        volatile int profile = -1;
        volatile byte[] exported;

        Client(DtlsIdentity identity) {
            this(identity, new BcTlsCrypto(new SecureRandom()));
        }

        private Client(DtlsIdentity identity, BcTlsCrypto crypto) {
            super(crypto);
            this.identity = identity;
            this.crypto = crypto;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {
                SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80}, TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            profile = chosen.getProtectionProfiles()[0];
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) {
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                    Certificate certificate = new Certificate(new TlsCertificate[] {crypto.createCertificate(identity.certificateDer())});
                    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey(),
                            certificate, SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            exported = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                    SrtpKeys.exporterLength(SrtpProfile.byId(profile)));
        }
    }
}
