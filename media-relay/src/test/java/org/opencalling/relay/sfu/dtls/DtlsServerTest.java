package org.opencalling.relay.sfu.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencalling.relay.sfu.srtp.SrtpKeys;
import org.opencalling.relay.sfu.srtp.SrtpProfile;

/**
 * {@link DtlsServer} against a real bctls {@link DTLSClientProtocol} client (its own self-signed
 * certificate, use_srtp), the two wired by in-memory datagram passing: the server's handshake runs
 * on the pool, the client's on another pool thread.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DtlsServerTest {

    private static final int[] BOTH_PROFILES = {
        SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
    };
    private static final int[] AES_CM_ONLY = {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80};

    private static DtlsIdentity serverIdentity;
    private static DtlsIdentity clientIdentity;
    private static ExecutorService pool;

    @BeforeAll
    static void setUp() {
        serverIdentity = DtlsIdentity.generate();
        clientIdentity = DtlsIdentity.generate();
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dtls-test");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void tearDown() {
        pool.shutdownNow();
    }

    // ---- DtlsIdentity

    @Test
    void fingerprintIsUpperHexSha256OfTheDerCertificate() throws Exception {
        String fp = serverIdentity.fingerprint();
        assertTrue(fp.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fp);

        byte[] digest = MessageDigest.getInstance("SHA-256").digest(serverIdentity.certificateDer());
        StringJoiner expected = new StringJoiner(":");
        for (byte b : digest) {
            expected.add(String.format(Locale.ROOT, "%02X", b & 0xFF));
        }
        assertEquals(expected.toString(), fp);
        assertNotEquals(fp, clientIdentity.fingerprint());
    }

    @Test
    void certificateIsSelfSignedP256ValidFromYesterdayFor30Days() throws Exception {
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(serverIdentity.certificateDer()));
        cert.verify(cert.getPublicKey()); // self-signed
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertEquals(256, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=opencalling-sfu"));
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertTrue(cert.getSerialNumber().signum() > 0);
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant yesterday = Instant.now().minus(Duration.ofDays(1));
        assertTrue(Duration.between(notBefore, yesterday).abs().toMinutes() < 5, notBefore.toString());
        assertEquals(Duration.ofDays(30), Duration.between(notBefore, cert.getNotAfter().toInstant()));
        cert.checkValidity();
    }

    @Test
    void expectedFingerprintIsParsedLeniently() {
        String fp = clientIdentity.fingerprint();
        new DtlsServer(serverIdentity, fp.toLowerCase(Locale.ROOT), d -> { }).close();
        new DtlsServer(serverIdentity, "sha-256 " + fp, d -> { }).close();
        assertThrows(IllegalArgumentException.class, () -> new DtlsServer(serverIdentity, "AB:CD", d -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> new DtlsServer(serverIdentity, fp.replace(':', '-'), d -> { }));
    }

    // ---- handshakes

    @Test
    void negotiatesGcmWhenOfferedAndBothSidesExportTheSameKeys() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        TestClient client = new TestClient(BOTH_PROFILES); // AES_CM listed first: the choice is ours
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(client);

        SrtpKeys keys = serverKeys.get(10, TimeUnit.SECONDS);
        clientDone.get(10, TimeUnit.SECONDS);

        assertEquals(SrtpProfile.AEAD_AES_128_GCM, keys.profile());
        assertEquals(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, client.negotiatedProfile);
        assertSameKeyingMaterial(keys, client);
        assertEquals(serverIdentity.fingerprint(), client.serverFingerprint);
        link.server.close();
    }

    @Test
    void fallsBackToAesCmWhenOnlyAesCmIsOffered() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        TestClient client = new TestClient(AES_CM_ONLY);
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(client);

        SrtpKeys keys = serverKeys.get(10, TimeUnit.SECONDS);
        clientDone.get(10, TimeUnit.SECONDS);

        assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys.profile());
        assertEquals(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, client.negotiatedProfile);
        assertSameKeyingMaterial(keys, client);
        link.server.close();
    }

    @Test
    void wrongClientFingerprintFailsTheHandshake() throws Exception {
        String someoneElse = DtlsIdentity.generate().fingerprint();
        Link link = new Link(someoneElse);
        long t0 = System.nanoTime();
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(new TestClient(BOTH_PROFILES));

        TlsFatalAlert alert = assertInstanceOf(TlsFatalAlert.class, failureOf(serverKeys));
        assertEquals(AlertDescription.bad_certificate, alert.getAlertDescription());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < DtlsServer.HANDSHAKE_TIMEOUT_MILLIS);
        assertThrows(ExecutionException.class, () -> clientDone.get(10, TimeUnit.SECONDS)); // got our alert
        link.server.closed().get(2, TimeUnit.SECONDS);
    }

    @Test
    void clientWithoutUseSrtpFails() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(new TestClient(null));

        TlsFatalAlert alert = assertInstanceOf(TlsFatalAlert.class, failureOf(serverKeys));
        assertEquals(AlertDescription.handshake_failure, alert.getAlertDescription());
        assertThrows(ExecutionException.class, () -> clientDone.get(10, TimeUnit.SECONDS));
    }

    @Test
    void silentClientTimesOut() throws Exception {
        Link link = new Link(clientIdentity.fingerprint(), 1_500);
        long t0 = System.nanoTime();
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Throwable failure = failureOf(serverKeys);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(failure instanceof TimeoutException || failure instanceof IOException, failure.toString());
        assertTrue(elapsed >= 1_400 && elapsed < 4_000, "after " + elapsed + " ms");
        link.server.closed().get(2, TimeUnit.SECONDS);
    }

    @Test
    void garbageBeforeAndDuringTheHandshakeIsIgnored() throws Exception {
        Random random = new Random(42);
        Link link = new Link(clientIdentity.fingerprint());
        for (int i = 0; i < 500; i++) {
            link.server.offer(garbage(random, i % 10 == 0));
        }
        AtomicInteger injected = new AtomicInteger(500);
        // during: bursts of 84 ahead of the client's datagrams (Certificate .. ChangeCipherSpec,
        // Finished: the last burst lands between the two, where epoch 1 is being read)
        link.beforeToServer = d -> {
            for (int i = 0; i < 84 && injected.get() < 1_000; i++) {
                link.server.offer(garbage(random, injected.getAndIncrement() % 10 == 0));
            }
        };
        TestClient client = new TestClient(BOTH_PROFILES);
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(client);

        SrtpKeys keys = serverKeys.get(10, TimeUnit.SECONDS);
        clientDone.get(10, TimeUnit.SECONDS);
        assertSameKeyingMaterial(keys, client);
        assertEquals(1_000, injected.get());
        // the 900 without a plausible record header never reach bctls
        assertTrue(link.server.dropped() >= 900, "dropped " + link.server.dropped());
        link.server.close();
    }

    @Test
    void completesDespiteEveryThirdDatagramLostEachWay() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        AtomicInteger toClient = new AtomicInteger();
        AtomicInteger toServer = new AtomicInteger();
        link.dropToClient = d -> toClient.incrementAndGet() % 3 == 0;
        link.dropToServer = d -> toServer.incrementAndGet() % 3 == 0;
        TestClient client = new TestClient(BOTH_PROFILES);
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(client);

        SrtpKeys keys = serverKeys.get(10, TimeUnit.SECONDS);
        clientDone.get(10, TimeUnit.SECONDS);
        assertSameKeyingMaterial(keys, client);
        assertTrue(toClient.get() >= 3 && toServer.get() >= 3);
        link.server.close();
    }

    @Test
    void lostFinishedIsResentWhenTheClientRetransmitsItsLastFlight() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        // our last flight: ChangeCipherSpec (type 20) and the epoch-1 Finished
        link.dropToClient = new Predicate<>() {
            int lastFlightDatagrams;

            @Override
            public boolean test(byte[] d) {
                boolean lastFlight = d[0] == 20 || (d[0] == 22 && d[3] == 0 && d[4] == 1);
                return lastFlight && ++lastFlightDatagrams <= 2; // lose the first copy entirely
            }
        };
        TestClient client = new TestClient(BOTH_PROFILES);
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(client);

        SrtpKeys keys = serverKeys.get(10, TimeUnit.SECONDS);
        assertFalse(clientDone.isDone()); // still waiting for our Finished, which was lost
        clientDone.get(10, TimeUnit.SECONDS); // its retransmission made us resend it
        assertSameKeyingMaterial(keys, client);
        link.server.close();
    }

    @Test
    void closeNotifyFromTheClientCompletesClosed() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(new TestClient(BOTH_PROFILES));
        serverKeys.get(10, TimeUnit.SECONDS);
        DTLSTransport clientSession = clientDone.get(10, TimeUnit.SECONDS);
        assertFalse(link.server.closed().isDone());

        clientSession.close();
        link.server.closed().get(2, TimeUnit.SECONDS);
        // and later datagrams are refused
        long before = link.server.dropped();
        link.server.offer(garbage(new Random(1), true));
        assertEquals(before + 1, link.server.dropped());
    }

    @Test
    void garbageAfterTheHandshakeLeavesTheSessionUp() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(new TestClient(BOTH_PROFILES));
        serverKeys.get(10, TimeUnit.SECONDS);
        DTLSTransport clientSession = clientDone.get(10, TimeUnit.SECONDS);

        Random random = new Random(3);
        for (int i = 0; i < 300; i++) {
            byte[] g = garbage(random, true);
            if (i % 3 == 0) {
                g[0] = 22; // a would-be handshake record in the old epoch 0 (the retransmit path)
                g[3] = 0;
                g[4] = 0;
            }
            link.server.offer(g);
            if (i % 50 == 0) {
                Thread.sleep(5);
            }
        }
        Thread.sleep(200);
        assertFalse(link.server.closed().isDone());

        clientSession.close(); // the session still reads and authenticates records
        link.server.closed().get(2, TimeUnit.SECONDS);
    }

    @Test
    void closeSendsCloseNotifyToTheClient() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Future<DTLSTransport> clientDone = link.connect(new TestClient(BOTH_PROFILES));
        serverKeys.get(10, TimeUnit.SECONDS);
        DTLSTransport clientSession = clientDone.get(10, TimeUnit.SECONDS);

        link.server.close();
        link.server.closed().get(2, TimeUnit.SECONDS);
        byte[] buf = new byte[2048];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!link.clientTransport.closed && System.nanoTime() < deadline) {
            clientSession.receive(buf, 0, buf.length, 100); // the client's bctls sees our close_notify
        }
        assertTrue(link.clientTransport.closed, "client did not get close_notify");
    }

    @Test
    void closeDuringTheHandshakeFailsIt() throws Exception {
        Link link = new Link(clientIdentity.fingerprint());
        CompletableFuture<SrtpKeys> serverKeys = link.server.start(pool);
        Thread.sleep(100); // the handshake thread is waiting for a ClientHello
        link.server.close();
        assertInstanceOf(IOException.class, failureOf(serverKeys));
        link.server.closed().get(2, TimeUnit.SECONDS);
        assertTrue(link.server.start(pool).isCompletedExceptionally());
    }

    @Test
    void offerNeverThrowsAndCountsDrops() {
        DtlsServer server = new DtlsServer(serverIdentity, clientIdentity.fingerprint(), d -> { });
        server.offer(null);
        server.offer(new byte[0]);
        server.offer(new byte[5000]);
        byte[] record = garbage(new Random(7), true);
        for (int i = 0; i < DtlsServer.QUEUE_CAPACITY + 10; i++) {
            server.offer(record); // not started: queued up to the capacity
        }
        assertEquals(3 + 10, server.dropped());
        server.close();
        server.offer(record);
        assertEquals(3 + 10 + 1, server.dropped());
        assertTrue(server.closed().isDone());
    }

    @Test
    void recordFramingFilter() {
        byte[] two = new byte[13 + 3 + 13];
        two[0] = 22;
        two[1] = (byte) 0xFE;
        two[12] = 3;
        two[16] = 21;
        two[17] = (byte) 0xFE;
        assertTrue(DtlsServer.looksLikeDtlsRecords(two));
        two[12] = 4; // the first record now overlaps the second's header
        assertFalse(DtlsServer.looksLikeDtlsRecords(two));
        two[12] = 3;
        two[16] = 64;
        assertFalse(DtlsServer.looksLikeDtlsRecords(two));
    }

    // ---- helpers

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(15, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** The client's export, split as RFC 5764 4.2 lays it out, equals the server's keys. */
    private static void assertSameKeyingMaterial(SrtpKeys keys, TestClient client) {
        byte[] material = client.exported;
        int k = keys.clientKey().length;
        int s = keys.clientSalt().length;
        assertEquals(16, k);
        assertEquals(keys.profile() == SrtpProfile.AEAD_AES_128_GCM ? 12 : 14, s);
        assertEquals(2 * (k + s), material.length);
        assertArrayEquals(slice(material, 0, k), keys.clientKey());
        assertArrayEquals(slice(material, k, k), keys.serverKey());
        assertArrayEquals(slice(material, 2 * k, s), keys.clientSalt());
        assertArrayEquals(slice(material, 2 * k + s, s), keys.serverSalt());
    }

    private static byte[] slice(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    /**
     * Random bytes with a first byte in 20..63; every {@code plausible} one has a DTLS 1.2 record
     * header (so it passes the framing filter and reaches bctls) with an epoch of 1 or more, which
     * must be discarded (unknown epoch, or a record that cannot decrypt: often too short to).
     */
    private static byte[] garbage(Random random, boolean plausible) {
        byte[] g = new byte[13 + random.nextInt(plausible ? 64 : 200)];
        random.nextBytes(g);
        g[0] = (byte) (20 + random.nextInt(44));
        if (plausible) {
            int epoch = random.nextBoolean() ? 1 : 2 + random.nextInt(4);
            g[0] = (byte) (20 + random.nextInt(5));
            g[1] = (byte) 0xFE;
            g[2] = (byte) 0xFD;
            g[3] = (byte) (epoch >>> 8);
            g[4] = (byte) epoch;
            g[11] = (byte) ((g.length - 13) >>> 8);
            g[12] = (byte) (g.length - 13);
        }
        return g;
    }

    /** A server and a client transport wired in memory, with optional loss each way. */
    private static final class Link {
        final ClientTransport clientTransport;
        DtlsServer server; // not final: the client transport's lambda, built first, reads it
        volatile Predicate<byte[]> dropToClient = d -> false;
        volatile Predicate<byte[]> dropToServer = d -> false;
        volatile Consumer<byte[]> beforeToServer = d -> { };

        Link(String expectedClientFingerprint) {
            this(expectedClientFingerprint, DtlsServer.HANDSHAKE_TIMEOUT_MILLIS);
        }

        Link(String expectedClientFingerprint, int timeoutMillis) {
            clientTransport = new ClientTransport(d -> {
                beforeToServer.accept(d);
                if (!dropToServer.test(d)) {
                    server.offer(d);
                }
            });
            server = new DtlsServer(serverIdentity, expectedClientFingerprint, d -> {
                if (!dropToClient.test(d)) {
                    clientTransport.inbox.add(d);
                }
            }, timeoutMillis);
        }

        Future<DTLSTransport> connect(TestClient client) {
            return pool.submit(() -> new DTLSClientProtocol().connect(client, clientTransport));
        }
    }

    private static final class ClientTransport implements DatagramTransport {
        final BlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
        final Consumer<byte[]> out;
        volatile boolean closed;

        ClientTransport(Consumer<byte[]> out) {
            this.out = out;
        }

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
            try {
                byte[] d = inbox.poll(waitMillis > 0 ? waitMillis : 60_000, TimeUnit.MILLISECONDS);
                if (d == null) {
                    return -1;
                }
                int n = Math.min(len, d.length);
                System.arraycopy(d, 0, buf, off, n);
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            out.accept(slice(buf, off, len));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A browser stand-in: DTLS 1.2, its own certificate, use_srtp with the given profiles. */
    private static final class TestClient extends DefaultTlsClient {
        private final BcTlsCrypto crypto;
        private final Certificate certificate;
        private final int[] profiles;
        volatile int negotiatedProfile = -1;
        volatile String serverFingerprint;
        volatile byte[] exported;

        TestClient(int[] profiles) {
            this(profiles, new BcTlsCrypto(new SecureRandom())); // stock bctls, not our crypto
        }

        private TestClient(int[] profiles, BcTlsCrypto crypto) {
            super(crypto);
            this.crypto = crypto;
            this.profiles = profiles;
            try {
                this.certificate = new Certificate(
                        new TlsCertificate[] {crypto.createCertificate(clientIdentity.certificateDer())});
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
            if (profiles != null) {
                TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(profiles, TlsUtils.EMPTY_BYTES));
            }
            return extensions;
        }

        @Override
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (chosen != null && chosen.getProtectionProfiles().length == 1) {
                negotiatedProfile = chosen.getProtectionProfiles()[0];
            }
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    byte[] der = serverCertificate.getCertificate().getCertificateAt(0).getEncoded();
                    serverFingerprint = DtlsIdentity.formatFingerprint(DtlsIdentity.sha256(der));
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                            clientIdentity.privateKey(), certificate,
                            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            int length = SrtpKeys.exporterLength(SrtpProfile.byId(negotiatedProfile));
            exported = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, length);
        }
    }
}
