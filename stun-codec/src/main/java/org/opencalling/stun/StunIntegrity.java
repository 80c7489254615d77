package org.opencalling.stun;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (CRC-32 XOR
 * 0x5354554E), computed over the message's bytes up to the attribute with the header's length
 * set as if the attribute ended the message (RFC 8489 §14.5–14.7).
 */
public final class StunIntegrity {
    static final long FINGERPRINT_XOR = 0x5354554EL;

    private StunIntegrity() {
    }

    /** The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2). */
    public static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The short-term credential key (ICE): the password itself. */
    public static byte[] shortTermKey(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the message's MESSAGE-INTEGRITY verifies with this key (false when absent). */
    public static boolean verify(StunMessage m, byte[] key) {
        return verify(m, key, StunTypes.MESSAGE_INTEGRITY, "HmacSHA1", 20);
    }

    /** The same for MESSAGE-INTEGRITY-SHA256 (its full 32-byte form). */
    public static boolean verifySha256(StunMessage m, byte[] key) {
        return verify(m, key, StunTypes.MESSAGE_INTEGRITY_SHA256, "HmacSHA256", 32);
    }

    private static boolean verify(StunMessage m, byte[] key, int attribute, String algorithm, int size) {
        byte[] raw = m.raw();
        if (raw == null) {
            return false;
        }
        for (StunAttribute a : m.attributes()) {
            if (a.type() == attribute) {
                if (a.length() != size || a.offset() < 0) {
                    return false;
                }
                byte[] expected = hmac(algorithm, key, raw, a.offset(), a.offset() + 4 + size);
                return MessageDigest.isEqual(expected, a.value());
            }
        }
        return false;
    }

    /** Whether the FINGERPRINT verifies (false when absent). */
    public static boolean verifyFingerprint(StunMessage m) {
        byte[] raw = m.raw();
        StunAttribute f = m.get(StunTypes.FINGERPRINT).orElse(null);
        if (raw == null || f == null || f.length() != 4) {
            return false;
        }
        return fingerprint(raw, f.offset(), f.offset() + 8) == f.asU32();
    }

    /** HMAC over {@code msg[0..upTo)} with the length field set to {@code lengthEnd - 20}. */
    static byte[] hmac(String algorithm, byte[] key, byte[] msg, int upTo, int lengthEnd) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, algorithm));
            int length = lengthEnd - StunTypes.HEADER_LENGTH;
            mac.update(msg, 0, 2);
            mac.update((byte) (length >>> 8));
            mac.update((byte) length);
            mac.update(msg, 4, upTo - 4);
            return mac.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** CRC-32 of {@code msg[0..upTo)} with the length field set to {@code lengthEnd - 20}, XOR'ed. */
    static long fingerprint(byte[] msg, int upTo, int lengthEnd) {
        CRC32 crc = new CRC32();
        int length = lengthEnd - StunTypes.HEADER_LENGTH;
        crc.update(msg, 0, 2);
        crc.update(length >>> 8);
        crc.update(length & 0xFF);
        crc.update(msg, 4, upTo - 4);
        return crc.getValue() ^ FINGERPRINT_XOR;
    }
}
