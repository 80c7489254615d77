package org.opencalling.relay.sfu.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Hashtable;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.opencalling.relay.sfu.srtp.SrtpKeys;
import org.opencalling.relay.sfu.srtp.SrtpProfile;

/**
 * One participant's DTLS 1.2 server for DTLS-SRTP (RFC 5763/5764): the browser is always the DTLS
 * client ({@code a=setup:active} in our answer). The handshake requires a client certificate
 * whose SHA-256 fingerprint is the one from the participant's SDP, negotiates use_srtp and yields
 * the SRTP master keys exported with "EXTRACTOR-dtls_srtp".
 *
 * <p>Threading. {@link #offer} runs on the network thread: it checks the record framing, copies
 * the datagram into a bounded queue (64) and returns; it never blocks or throws. {@link #start}
 * runs bctls's blocking {@code DTLSServerProtocol.accept} on one thread of the given executor for
 * the handshake only (at most the 10 s handshake timeout). After the handshake no thread is kept:
 * each datagram that arrives later (a retransmitted client flight, which bctls answers by
 * resending our ChangeCipherSpec and Finished; an alert; close_notify) schedules a short drain pass
 * on the same executor that feeds the queued records to {@code DTLSTransport.receive} without
 * waiting, one pass at a time. {@link #close} is carried out by such a pass too, so the bctls
 * session is only ever touched by one thread at a time.
 */
public final class DtlsServer {

    /** Overall handshake limit, from {@link #start} to our Finished. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** Received datagrams waiting for the DTLS thread; beyond it they are dropped. */
    static final int QUEUE_CAPACITY = 64;
    /** Largest datagram we send (the DTLS MTU: handshake messages are fragmented to fit). */
    static final int SEND_LIMIT = 1200;
    /** Largest datagram we accept. */
    static final int RECEIVE_LIMIT = 1500;

    private static final int RECORD_HEADER = 13;

    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    };

    private enum State { NEW, HANDSHAKING, ESTABLISHED, CLOSED }

    private final DtlsIdentity identity;
    private final byte[] expectedClientFingerprint;
    private final int handshakeTimeoutMillis;
    private final QueuedDatagramTransport transport;

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CompletableFuture<SrtpKeys> handshake = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();

    private volatile Executor executor;
    private volatile DTLSTransport session;
    private volatile boolean closeRequested;

    /**
     * @param identity the relay's certificate and key
     * @param expectedClientFingerprint the sha-256 fingerprint from the browser's SDP (hex pairs
     *     joined by ':', either case; a leading "sha-256 " is tolerated)
     * @param sendDatagram sends one DTLS datagram to this participant; called from DTLS threads
     * @throws IllegalArgumentException if the fingerprint is not 32 hex pairs
     */
    public DtlsServer(DtlsIdentity identity, String expectedClientFingerprint, Consumer<byte[]> sendDatagram) {
        this(identity, expectedClientFingerprint, sendDatagram, HANDSHAKE_TIMEOUT_MILLIS);
    }

    DtlsServer(DtlsIdentity identity, String expectedClientFingerprint, Consumer<byte[]> sendDatagram,
            int handshakeTimeoutMillis) {
        if (identity == null || sendDatagram == null) {
            throw new NullPointerException("identity and sendDatagram are required");
        }
        this.identity = identity;
        this.expectedClientFingerprint = DtlsIdentity.parseSha256Fingerprint(expectedClientFingerprint);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.transport = new QueuedDatagramTransport(QUEUE_CAPACITY, RECEIVE_LIMIT, SEND_LIMIT, sendDatagram,
                this::onTransportClosed);
        handshake.whenComplete((keys, failure) -> {
            if (failure != null) {
                close();
            }
        });
    }

    /**
     * One datagram of DTLS records (first byte 20..63) from this participant's address. Never
     * blocks, never throws: malformed framing, a full queue or a closed server drop it (counted
     * by {@link #dropped()}). The array is copied. Datagrams offered before {@link #start} wait
     * in the queue.
     */
    public void offer(byte[] datagram) {
        try {
            if (datagram == null || !looksLikeDtlsRecords(datagram) || state.get() == State.CLOSED
                    || !transport.enqueue(datagram.clone())) {
                dropped.incrementAndGet();
                return;
            }
            if (state.get() == State.ESTABLISHED) {
                scheduleDrain();
            }
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
        }
    }

    /**
     * Starts the handshake on {@code executor} (which later also runs the short post-handshake
     * drain passes). The future completes with the SRTP keys, or exceptionally when the handshake
     * fails (bctls's {@code TlsFatalAlert}/{@code TlsFatalAlertReceived}, e.g. bad_certificate for
     * a fingerprint mismatch, handshake_failure without use_srtp), times out (10 s,
     * {@code TimeoutException}) or {@link #close} is called first. Calling it again returns the
     * same future.
     */
    public CompletableFuture<SrtpKeys> start(Executor executor) {
        if (executor == null) {
            throw new NullPointerException("executor");
        }
        if (!state.compareAndSet(State.NEW, State.HANDSHAKING)) {
            return handshake;
        }
        this.executor = executor;
        handshake.orTimeout(handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        try {
            executor.execute(this::runHandshake);
        } catch (RuntimeException rejected) {
            handshake.completeExceptionally(rejected);
        }
        return handshake;
    }

    /**
     * Ends the session: close_notify to the peer if the handshake completed, else the handshake
     * is aborted and its future fails. Idempotent, non-blocking.
     */
    public void close() {
        while (true) {
            State s = state.get();
            if (s == State.CLOSED) {
                return;
            }
            if (!state.compareAndSet(s, State.CLOSED)) {
                continue;
            }
            if (s == State.ESTABLISHED) {
                closeRequested = true;
                scheduleDrain();
            } else {
                transport.close(); // wakes the handshake thread, whose accept() then fails
                handshake.completeExceptionally(new IOException("DTLS server closed before the handshake completed"));
                closed.complete(null);
            }
            return;
        }
    }

    /**
     * Completes when the session is over: close_notify or a fatal alert from the peer, a failed
     * handshake, or {@link #close}.
     */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Datagrams {@link #offer} refused: not a sequence of DTLS 1.x record headers, larger than
     * 1500 bytes, the queue full, or the server closed. (Records that pass this check but fail
     * inside bctls, e.g. an unknown epoch or a bad MAC, are discarded there, uncounted.)
     */
    /** Whether offered datagrams still wait for the handshake thread (tests). */
    boolean transportHasQueued() {
        return transport.hasQueued();
    }

    public long dropped() {
        return dropped.get();
    }

    // ---- the handshake thread

    private void runHandshake() {
        if (state.get() != State.HANDSHAKING) {
            return; // closed or timed out before a thread was free
        }
        SrtpTlsServer server = new SrtpTlsServer();
        DTLSTransport dtls;
        try {
            dtls = new DTLSServerProtocol().accept(server, transport);
        } catch (Throwable t) {
            transport.close();
            handshake.completeExceptionally(t);
            if (t instanceof Error e) {
                throw e;
            }
            return;
        }
        SrtpKeys keys = server.keys;
        session = dtls;
        transport.startDraining();
        if (!state.compareAndSet(State.HANDSHAKING, State.ESTABLISHED)) {
            closeQuietly(dtls); // close() or the timeout won the race
            return;
        }
        handshake.complete(keys);
        scheduleDrain(); // whatever arrived since our Finished went out
    }

    // ---- after the handshake: drain passes on the executor, one at a time

    private void scheduleDrain() {
        Executor ex = executor;
        if (ex == null || !draining.compareAndSet(false, true)) {
            return;
        }
        try {
            ex.execute(this::drain);
        } catch (RuntimeException rejected) {
            draining.set(false);
            if (closeRequested) {
                closeQuietly(session);
            }
        }
    }

    private void drain() {
        try {
            DTLSTransport s = session;
            byte[] buf = new byte[RECEIVE_LIMIT];
            while (!transport.isClosed()) {
                if (closeRequested) {
                    s.close(); // close_notify, then bctls closes the transport
                    break;
                }
                try {
                    // handshake records of a retransmitted client flight make bctls resend our
                    // last flight; alerts end the session; application data (unused) is dropped
                    s.receive(buf, 0, buf.length, 0);
                } catch (InterruptedIOException queueEmpty) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            transport.close(); // a fatal alert, received or raised: the session is over
        } finally {
            draining.set(false);
        }
        if (!transport.isClosed() && (closeRequested || transport.hasQueued())) {
            scheduleDrain();
        }
    }

    private void closeQuietly(DTLSTransport dtls) {
        try {
            if (dtls != null) {
                dtls.close();
            }
        } catch (IOException | RuntimeException e) {
            // closing anyway
        } finally {
            transport.close();
        }
    }

    private void onTransportClosed() {
        state.set(State.CLOSED);
        closed.complete(null);
    }

    /**
     * Whether the datagram is a sequence of whole DTLSPlaintext/DTLSCiphertext records (content
     * type 20..24, version 0xFE.., length within the datagram), as RFC 6347 requires. Cheap
     * filter for the network thread; everything else is dropped before reaching bctls.
     */
    static boolean looksLikeDtlsRecords(byte[] d) {
        if (d.length < RECORD_HEADER || d.length > RECEIVE_LIMIT) {
            return false;
        }
        int off = 0;
        while (off < d.length) {
            if (d.length - off < RECORD_HEADER) {
                return false;
            }
            int type = d[off] & 0xFF;
            if (type < 20 || type > 24 || (d[off + 1] & 0xFF) != 0xFE) {
                return false;
            }
            int length = ((d[off + 11] & 0xFF) << 8) | (d[off + 12] & 0xFF);
            off += RECORD_HEADER + length;
        }
        return off == d.length;
    }

    // ---- the bctls server policy

    private final class SrtpTlsServer extends DefaultTlsServer {

        private volatile SrtpProfile selectedProfile;
        private volatile SrtpKeys keys;

        SrtpTlsServer() {
            super(identity.crypto());
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
        }

        @Override
        protected boolean preferLocalCipherSuites() {
            return true; // AES-GCM before AES-CBC whatever the client's order
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return handshakeTimeoutMillis;
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() {
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), identity.crypto(),
                    identity.privateKey(), identity.tlsCertificate(),
                    SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }

        @Override
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            UseSRTPData offered = clientExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (offered == null) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure, "client did not offer use_srtp");
            }
            int[] profiles = offered.getProtectionProfiles();
            if (contains(profiles, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM)) {
                selectedProfile = SrtpProfile.AEAD_AES_128_GCM;
            } else if (contains(profiles, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80)) {
                selectedProfile = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
            } else {
                throw new TlsFatalAlert(AlertDescription.handshake_failure, "no supported SRTP protection profile");
            }
        }

        @Override
        public Hashtable getServerExtensions() throws IOException {
            Hashtable serverExtensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
            // our choice, no MKI (RFC 5764 4.1.1)
            TlsSRTPUtils.addUseSRTPExtension(serverExtensions,
                    new UseSRTPData(new int[] {selectedProfile.id()}, TlsUtils.EMPTY_BYTES));
            return serverExtensions;
        }

        @Override
        public CertificateRequest getCertificateRequest() {
            short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
            Vector signatureAlgorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
            return new CertificateRequest(types, signatureAlgorithms, null);
        }

        /**
         * The WebRTC trust model (RFC 8122/8827): the end-entity certificate must hash to the SDP
         * fingerprint; bctls then checks the client's CertificateVerify against its key. No
         * chain or date validation.
         */
        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            if (clientCertificate == null || clientCertificate.isEmpty()) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure, "client sent no certificate");
            }
            byte[] actual = DtlsIdentity.sha256(clientCertificate.getCertificateAt(0).getEncoded());
            if (!MessageDigest.isEqual(actual, expectedClientFingerprint)) {
                throw new TlsFatalAlert(AlertDescription.bad_certificate,
                        "client certificate does not match the SDP fingerprint");
            }
        }

        /** bctls allows the export only from here; a failure here fails the handshake. */
        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            SrtpProfile profile = selectedProfile;
            byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                    SrtpKeys.exporterLength(profile));
            keys = SrtpKeys.fromExporter(profile, material);
        }

        private static boolean contains(int[] values, int value) {
            for (int v : values) {
                if (v == value) {
                    return true;
                }
            }
            return false;
        }
    }
}
