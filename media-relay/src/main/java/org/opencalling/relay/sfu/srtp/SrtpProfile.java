package org.opencalling.relay.sfu.srtp;

/**
 * The SRTP protection profiles this relay speaks, identified by their DTLS {@code use_srtp}
 * protection profile values (RFC 5764 §4.1.2 for {@code SRTP_AES128_CM_HMAC_SHA1_80}, RFC 7714 §14.2
 * for {@code SRTP_AEAD_AES_128_GCM}).
 */
public enum SrtpProfile {
    /** AES-128 counter mode, HMAC-SHA1 authentication truncated to 80 bits (RFC 3711). */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10),
    /** AES-128 GCM with a 16-octet tag and a 12-octet salt (RFC 7714). */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16);

    private final int id;
    private final int keyLength;
    private final int saltLength;
    private final int tagLength;

    SrtpProfile(int id, int keyLength, int saltLength, int tagLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    /** The DTLS-SRTP protection profile value. */
    public int id() {
        return id;
    }

    /** Master (and session) encryption key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** Master (and session) salt length in bytes. */
    public int saltLength() {
        return saltLength;
    }

    /** Authentication tag length in bytes appended to each SRTP/SRTCP packet. */
    public int tagLength() {
        return tagLength;
    }

    /** The profile with this DTLS-SRTP protection profile value, or {@code null} if unknown. */
    public static SrtpProfile byId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) {
                return p;
            }
        }
        return null;
    }
}
