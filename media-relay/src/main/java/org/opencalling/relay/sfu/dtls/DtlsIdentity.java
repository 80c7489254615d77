package org.opencalling.relay.sfu.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The relay's DTLS identity: an ECDSA P-256 key pair and a self-signed certificate, whose SHA-256
 * fingerprint goes into every SDP answer ({@code a=fingerprint:sha-256 <fingerprint()>}). Generate
 * it once per relay process; one identity serves every participant's {@link DtlsServer}.
 * Immutable and thread-safe.
 */
public final class DtlsIdentity {

    static final String COMMON_NAME = "opencalling-sfu";
    private static final Duration BACKDATE = Duration.ofDays(1);
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final BcTlsCrypto crypto;
    private final AsymmetricKeyParameter privateKey;
    private final byte[] certificateDer;
    private final Certificate tlsCertificate;
    private final String fingerprint;

    private DtlsIdentity(BcTlsCrypto crypto, AsymmetricKeyParameter privateKey, byte[] certificateDer)
            throws IOException {
        this.crypto = crypto;
        this.privateKey = privateKey;
        this.certificateDer = certificateDer;
        this.tlsCertificate = new Certificate(new TlsCertificate[] {crypto.createCertificate(certificateDer)});
        this.fingerprint = formatFingerprint(sha256(certificateDer));
    }

    /**
     * A fresh key pair and a self-signed certificate (random serial, CN=opencalling-sfu, valid
     * from yesterday for 30 days).
     *
     * @throws IllegalStateException if the JDK lacks EC P-256 / SHA256withECDSA (it never should)
     */
    public static DtlsIdentity generate() {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair keyPair = generator.generateKeyPair();

            Instant notBefore = Instant.now().minus(BACKDATE);
            Instant notAfter = notBefore.plus(VALIDITY);
            // positive and non-zero, 64 random bits at most (RFC 5280 allows up to 20 octets)
            BigInteger serial = new BigInteger(63, random).add(BigInteger.ONE);
            X500Name name = new X500Name("CN=" + COMMON_NAME);

            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                    .setSecureRandom(random)
                    .build(keyPair.getPrivate());
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(
                    name, serial, Date.from(notBefore), Date.from(notAfter), name, keyPair.getPublic())
                    .build(signer);

            AsymmetricKeyParameter bcPrivateKey = PrivateKeyFactory.createKey(keyPair.getPrivate().getEncoded());
            return new DtlsIdentity(new DiscardingBcTlsCrypto(random), bcPrivateKey, holder.getEncoded());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate the DTLS identity", e);
        }
    }

    /**
     * SHA-256 of the DER certificate as upper-case hex pairs joined by ':' (95 characters), the
     * value of SDP's {@code a=fingerprint:sha-256 ...} without the algorithm name.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The DER encoding of the self-signed certificate (a copy). */
    public byte[] certificateDer() {
        return certificateDer.clone();
    }

    BcTlsCrypto crypto() {
        return crypto;
    }

    /** The private key, for a DTLS client built on this identity (the SFU load generator's members). */
    public AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    Certificate tlsCertificate() {
        return tlsCertificate;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static String formatFingerprint(byte[] digest) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }

    /**
     * Parses an SDP sha-256 fingerprint value: 32 hex pairs joined by ':', either case; an
     * optional leading "sha-256 " is tolerated.
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    static byte[] parseSha256Fingerprint(String value) {
        if (value == null) {
            throw new IllegalArgumentException("fingerprint is null");
        }
        String v = value.trim();
        if (v.regionMatches(true, 0, "sha-256", 0, 7)) {
            v = v.substring(7).trim();
        }
        if (v.length() != 32 * 3 - 1) {
            throw new IllegalArgumentException("not a sha-256 fingerprint: " + value);
        }
        try {
            byte[] digest = HexFormat.ofDelimiter(":").parseHex(v);
            if (digest.length != 32) {
                throw new IllegalArgumentException("not a sha-256 fingerprint: " + value);
            }
            return digest;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a sha-256 fingerprint: " + value, e);
        }
    }
}
