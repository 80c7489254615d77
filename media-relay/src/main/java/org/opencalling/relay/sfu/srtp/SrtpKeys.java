package org.opencalling.relay.sfu.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * The two master keys and salts of a DTLS-SRTP association. The client's pair protects what the
 * DTLS client sends, the server's pair what the DTLS server sends.
 */
public record SrtpKeys(SrtpProfile profile, byte[] clientKey, byte[] clientSalt, byte[] serverKey,
        byte[] serverSalt) {

    public SrtpKeys {
        Objects.requireNonNull(profile, "profile");
        check(clientKey, profile.keyLength(), "clientKey");
        check(clientSalt, profile.saltLength(), "clientSalt");
        check(serverKey, profile.keyLength(), "serverKey");
        check(serverSalt, profile.saltLength(), "serverSalt");
    }

    private static void check(byte[] b, int len, String name) {
        if (b == null || b.length != len) {
            throw new IllegalArgumentException(name + " must be " + len + " bytes");
        }
    }

    /** Bytes to request from the TLS exporter ("EXTRACTOR-dtls_srtp"): 2 * (key + salt). */
    public static int exporterLength(SrtpProfile p) {
        return 2 * (p.keyLength() + p.saltLength());
    }

    /**
     * Splits the exporter output as RFC 5764 §4.2 lays it out: client_write_SRTP_master_key |
     * server_write_SRTP_master_key | client_write_SRTP_master_salt | server_write_SRTP_master_salt.
     *
     * @throws IllegalArgumentException if {@code material} is shorter than {@link #exporterLength}
     */
    public static SrtpKeys fromExporter(SrtpProfile p, byte[] material) {
        Objects.requireNonNull(p, "profile");
        if (material == null || material.length < exporterLength(p)) {
            throw new IllegalArgumentException("exporter output must be " + exporterLength(p) + " bytes");
        }
        int k = p.keyLength();
        int s = p.saltLength();
        return new SrtpKeys(p,
                Arrays.copyOfRange(material, 0, k),
                Arrays.copyOfRange(material, 2 * k, 2 * k + s),
                Arrays.copyOfRange(material, k, 2 * k),
                Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s));
    }

    /** A session protecting what the DTLS client sends (and unprotecting it on the server side). */
    public SrtpSession clientSession() {
        return new SrtpSession(profile, clientKey, clientSalt);
    }

    /** A session protecting what the DTLS server sends (and unprotecting it on the client side). */
    public SrtpSession serverSession() {
        return new SrtpSession(profile, serverKey, serverSalt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SrtpKeys k && profile == k.profile
                && Arrays.equals(clientKey, k.clientKey) && Arrays.equals(clientSalt, k.clientSalt)
                && Arrays.equals(serverKey, k.serverKey) && Arrays.equals(serverSalt, k.serverSalt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, Arrays.hashCode(clientKey), Arrays.hashCode(serverKey));
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]";
    }
}
