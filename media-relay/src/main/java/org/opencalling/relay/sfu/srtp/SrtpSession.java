package org.opencalling.relay.sfu.srtp;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.opencalling.relay.sfu.rtp.RtpHeader;

/**
 * SRTP and SRTCP for one direction of a DTLS-SRTP association: one master key and salt, any number
 * of SSRCs. {@code protect*} is the sending side, {@code unprotect*} the receiving side; a session
 * normally serves only one of the two, but each keeps its own per-SSRC state so both work.
 *
 * <p>Crypto follows RFC 3711 (AES-CM, HMAC-SHA1-80, key derivation with rate 0) and RFC 7714
 * (AEAD_AES_128_GCM). Per SSRC the receiving side estimates the rollover counter (RFC 3711 §3.3.1,
 * Appendix A) and keeps a replay window of {@value #RTP_REPLAY_WINDOW} packets for SRTP and
 * {@value #RTCP_REPLAY_WINDOW} for SRTCP; that state moves only once a packet has authenticated. The
 * sending side tracks its rollover counter the same way and, like libsrtp, refuses to protect an RTP
 * index it already protected (or one older than its window): under GCM or AES-CM reusing an index
 * would reuse the keystream.
 *
 * <p>Every packet method returns a new array, or {@code null} for anything it cannot process; none
 * throws on bad input. Methods are thread-safe: SRTP sending, SRTP receiving, SRTCP sending and
 * SRTCP receiving each have their own lock and their own cached {@link Cipher}/{@link Mac}.
 */
public final class SrtpSession {
    /** SRTP replay window per SSRC, in packets (RFC 3711 asks for at least 64). */
    static final int RTP_REPLAY_WINDOW = 1024;
    /** SRTCP replay window per SSRC, in packets. */
    static final int RTCP_REPLAY_WINDOW = 128;
    /** Most SSRCs tracked per context; packets of further SSRCs are refused. */
    static final int MAX_SSRCS = 4096;

    static final int LABEL_RTP_ENCRYPTION = 0x00;
    static final int LABEL_RTP_AUTH = 0x01;
    static final int LABEL_RTP_SALT = 0x02;
    static final int LABEL_RTCP_ENCRYPTION = 0x03;
    static final int LABEL_RTCP_AUTH = 0x04;
    static final int LABEL_RTCP_SALT = 0x05;

    private static final int HMAC_SHA1_KEY_LENGTH = 20;
    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;
    private static final int SRTCP_INDEX = 4;
    private static final long MAX_ROC = 0xFFFF_FFFFL;
    private static final long MAX_SRTCP_INDEX = 0x7FFF_FFFFL;

    private final SrtpProfile profile;
    private final boolean gcm;
    private final int tagLength;
    private final Context rtpOut;
    private final Context rtpIn;
    private final Context rtcpOut;
    private final Context rtcpIn;

    /**
     * @param masterKey  {@code profile.keyLength()} bytes
     * @param masterSalt {@code profile.saltLength()} bytes
     * @throws IllegalArgumentException if the lengths do not match the profile
     */
    public SrtpSession(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
        Objects.requireNonNull(profile, "profile");
        if (masterKey == null || masterKey.length != profile.keyLength()) {
            throw new IllegalArgumentException("master key must be " + profile.keyLength() + " bytes");
        }
        if (masterSalt == null || masterSalt.length != profile.saltLength()) {
            throw new IllegalArgumentException("master salt must be " + profile.saltLength() + " bytes");
        }
        this.profile = profile;
        this.gcm = profile == SrtpProfile.AEAD_AES_128_GCM;
        this.tagLength = profile.tagLength();
        int k = profile.keyLength();
        int s = profile.saltLength();
        // RFC 7714 §11 (erratum 4938): the 96-bit GCM master salt is multiplied by 2^16 to form the
        // 112-bit salt of the RFC 3711 KDF, which deriveKey does by copying it to the front.
        byte[] rtpKey = deriveKey(masterKey, masterSalt, LABEL_RTP_ENCRYPTION, k);
        byte[] rtpSalt = deriveKey(masterKey, masterSalt, LABEL_RTP_SALT, s);
        byte[] rtcpKey = deriveKey(masterKey, masterSalt, LABEL_RTCP_ENCRYPTION, k);
        byte[] rtcpSalt = deriveKey(masterKey, masterSalt, LABEL_RTCP_SALT, s);
        byte[] rtpAuth = gcm ? null : deriveKey(masterKey, masterSalt, LABEL_RTP_AUTH, HMAC_SHA1_KEY_LENGTH);
        byte[] rtcpAuth = gcm ? null : deriveKey(masterKey, masterSalt, LABEL_RTCP_AUTH, HMAC_SHA1_KEY_LENGTH);
        rtpOut = new Context(rtpKey, rtpSalt, rtpAuth, RTP_REPLAY_WINDOW);
        rtpIn = new Context(rtpKey, rtpSalt, rtpAuth, RTP_REPLAY_WINDOW);
        rtcpOut = new Context(rtcpKey, rtcpSalt, rtcpAuth, RTCP_REPLAY_WINDOW);
        rtcpIn = new Context(rtcpKey, rtcpSalt, rtcpAuth, RTCP_REPLAY_WINDOW);
    }

    /** A session over already-derived session keys, bypassing the KDF (for RFC 7714 test vectors). */
    private SrtpSession(SrtpProfile profile, byte[] rtpKey, byte[] rtpSalt, byte[] rtpAuth,
            byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuth) {
        this.profile = profile;
        this.gcm = profile == SrtpProfile.AEAD_AES_128_GCM;
        this.tagLength = profile.tagLength();
        rtpOut = new Context(rtpKey.clone(), rtpSalt.clone(), rtpAuth, RTP_REPLAY_WINDOW);
        rtpIn = new Context(rtpKey.clone(), rtpSalt.clone(), rtpAuth, RTP_REPLAY_WINDOW);
        rtcpOut = new Context(rtcpKey.clone(), rtcpSalt.clone(), rtcpAuth, RTCP_REPLAY_WINDOW);
        rtcpIn = new Context(rtcpKey.clone(), rtcpSalt.clone(), rtcpAuth, RTCP_REPLAY_WINDOW);
    }

    /** Test hook: a session keyed directly with session keys (auth keys null for GCM). */
    static SrtpSession withSessionKeys(SrtpProfile profile, byte[] rtpKey, byte[] rtpSalt, byte[] rtpAuth,
            byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuth) {
        return new SrtpSession(profile, rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth);
    }

    public SrtpProfile profile() {
        return profile;
    }

    // ------------------------------------------------------------------ SRTP

    /**
     * The packet index of an RTP packet for this context (RFC 3711 §3.3.1), or -1 when it is
     * refused: already seen or too old for the replay window, or one SSRC too many.
     */
    /** Records an authenticated (or sent) index in the SSRC's replay window. */
    private static void accept(Context c, int ssrc, long index) {
        ReplayWindow w = c.windows.get(ssrc);
        if (w == null) {
            w = new ReplayWindow(c.windowSize);
            c.windows.put(ssrc, w);
        }
        w.accept(index);
    }

    private static long rtpIndex(Context c, int ssrc, int seq) {
        ReplayWindow w = c.windows.get(ssrc);
        if (w == null) {
            return c.windows.size() >= MAX_SSRCS ? -1 : seq;
        }
        long index = estimateIndex(w.highest, seq);
        return w.check(index) ? index : -1;
    }

    /**
     * Protects one RTP packet ({@code packet[off, off+len)}).
     *
     * @return the SRTP packet ({@code len + tagLength} bytes), or {@code null} if the input is not a
     *         version-2 RTP packet whose header (CSRCs, extension) fits, or its index was already
     *         protected / is older than the replay window, or the rollover counter is exhausted
     */
    public byte[] protectRtp(byte[] packet, int off, int len) {
        if (!inBounds(packet, off, len)) {
            return null;
        }
        int hlen = RtpHeader.length(packet, off, len);
        if (hlen < 0) {
            return null;
        }
        int seq = u16(packet, off + 2);
        int ssrc = i32(packet, off + 8);
        Context c = rtpOut;
        synchronized (c) {
            try {
                long index = rtpIndex(c, ssrc, seq);
                if (index < 0) {
                    return null;
                }
                c.ensureCrypto();
                byte[] out = new byte[len + tagLength];
                System.arraycopy(packet, off, out, 0, hlen);
                long roc = index >>> 16;
                if (gcm) {
                    rtpGcmIv(c.iv, c.salt, ssrc, roc, seq);
                    c.cipher.init(Cipher.ENCRYPT_MODE, c.key, new GCMParameterSpec(tagLength * 8, c.iv));
                    c.cipher.updateAAD(packet, off, hlen);
                    c.cipher.doFinal(packet, off + hlen, len - hlen, out, hlen);
                } else {
                    cmIv(c.iv, c.salt, ssrc, index);
                    c.cipher.init(Cipher.ENCRYPT_MODE, c.key, new IvParameterSpec(c.iv));
                    c.cipher.doFinal(packet, off + hlen, len - hlen, out, hlen);
                    hmac(c, out, 0, len, (int) roc, true);
                    System.arraycopy(c.macOut, 0, out, len, tagLength);
                }
                accept(c, ssrc, index);
                return out;
            } catch (GeneralSecurityException | RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * Verifies and decrypts one SRTP packet.
     *
     * @return the RTP packet ({@code len - tagLength} bytes), or {@code null} if it is malformed, too
     *         short, fails authentication, is a replay or is older than the replay window
     */
    public byte[] unprotectRtp(byte[] packet, int off, int len) {
        if (!inBounds(packet, off, len) || len < RTP_HEADER + tagLength) {
            return null;
        }
        int plen = len - tagLength;
        int hlen = RtpHeader.length(packet, off, plen);
        if (hlen < 0) {
            return null;
        }
        int seq = u16(packet, off + 2);
        int ssrc = i32(packet, off + 8);
        Context c = rtpIn;
        synchronized (c) {
            try {
                long index = rtpIndex(c, ssrc, seq);
                if (index < 0) {
                    return null;
                }
                c.ensureCrypto();
                long roc = index >>> 16;
                byte[] out = new byte[plen];
                if (gcm) {
                    rtpGcmIv(c.iv, c.salt, ssrc, roc, seq);
                    c.cipher.init(Cipher.DECRYPT_MODE, c.key, new GCMParameterSpec(tagLength * 8, c.iv));
                    c.cipher.updateAAD(packet, off, hlen);
                    // Throws AEADBadTagException (caught below) if the tag does not verify.
                    c.cipher.doFinal(packet, off + hlen, len - hlen, out, hlen);
                } else {
                    hmac(c, packet, off, plen, (int) roc, true);
                    if (!tagEquals(c.macOut, packet, off + plen, tagLength)) {
                        return null;
                    }
                    cmIv(c.iv, c.salt, ssrc, index);
                    c.cipher.init(Cipher.DECRYPT_MODE, c.key, new IvParameterSpec(c.iv));
                    c.cipher.doFinal(packet, off + hlen, plen - hlen, out, hlen);
                }
                System.arraycopy(packet, off, out, 0, hlen);
                accept(c, ssrc, index);
                return out;
            } catch (GeneralSecurityException | RuntimeException e) {
                return null;
            }
        }
    }

    // ----------------------------------------------------------------- SRTCP

    /**
     * Protects one (compound) RTCP packet: encrypts everything after the first 8 bytes, appends
     * E=1 and the 31-bit SRTCP index of the first packet's sender SSRC, then the tag (RFC 3711 §3.4;
     * for GCM the tag precedes the index word, RFC 7714 §9).
     *
     * @return the SRTCP packet, or {@code null} if the input is not a version-2 RTCP packet of at
     *         least 8 bytes, or the SSRC's SRTCP index is exhausted
     */
    public byte[] protectRtcp(byte[] packet, int off, int len) {
        if (!inBounds(packet, off, len) || len < RTCP_HEADER || (packet[off] & 0xC0) != 0x80) {
            return null;
        }
        int ssrc = i32(packet, off + 4);
        Context c = rtcpOut;
        synchronized (c) {
            try {
                ReplayWindow w = c.windows.get(ssrc);
                if (w == null && c.windows.size() >= MAX_SSRCS) {
                    return null;
                }
                long index = w == null ? 0 : w.highest + 1;
                if (index > MAX_SRTCP_INDEX) {
                    return null;
                }
                c.ensureCrypto();
                int eIndex = (int) (0x8000_0000L | index);
                byte[] out = new byte[len + SRTCP_INDEX + tagLength];
                System.arraycopy(packet, off, out, 0, RTCP_HEADER);
                if (gcm) {
                    int at = len + tagLength;
                    put32(out, at, eIndex);
                    rtcpGcmIv(c.iv, c.salt, ssrc, (int) index);
                    c.cipher.init(Cipher.ENCRYPT_MODE, c.key, new GCMParameterSpec(tagLength * 8, c.iv));
                    c.cipher.updateAAD(packet, off, RTCP_HEADER);
                    c.cipher.updateAAD(out, at, SRTCP_INDEX);
                    c.cipher.doFinal(packet, off + RTCP_HEADER, len - RTCP_HEADER, out, RTCP_HEADER);
                } else {
                    cmIv(c.iv, c.salt, ssrc, index);
                    c.cipher.init(Cipher.ENCRYPT_MODE, c.key, new IvParameterSpec(c.iv));
                    c.cipher.doFinal(packet, off + RTCP_HEADER, len - RTCP_HEADER, out, RTCP_HEADER);
                    put32(out, len, eIndex);
                    hmac(c, out, 0, len + SRTCP_INDEX, 0, false);
                    System.arraycopy(c.macOut, 0, out, len + SRTCP_INDEX, tagLength);
                }
                accept(c, ssrc, index);
                return out;
            } catch (GeneralSecurityException | RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * Verifies and (if the E flag is set) decrypts one SRTCP packet.
     *
     * @return the compound RTCP packet without SRTCP index and tag, or {@code null} if it is
     *         malformed, too short, fails authentication, is a replay or is older than the window
     */
    public byte[] unprotectRtcp(byte[] packet, int off, int len) {
        if (!inBounds(packet, off, len) || len < RTCP_HEADER + SRTCP_INDEX + tagLength
                || (packet[off] & 0xC0) != 0x80) {
            return null;
        }
        int plen = len - SRTCP_INDEX - tagLength;
        int ssrc = i32(packet, off + 4);
        int eIndexAt = gcm ? off + len - SRTCP_INDEX : off + plen;
        int eIndex = i32(packet, eIndexAt);
        boolean encrypted = eIndex < 0;
        long index = eIndex & 0x7FFF_FFFFL;
        Context c = rtcpIn;
        synchronized (c) {
            try {
                ReplayWindow w = c.windows.get(ssrc);
                if (w == null ? c.windows.size() >= MAX_SSRCS : !w.check(index)) {
                    return null;
                }
                c.ensureCrypto();
                byte[] out = new byte[plen];
                if (gcm) {
                    rtcpGcmIv(c.iv, c.salt, ssrc, (int) index);
                    c.cipher.init(Cipher.DECRYPT_MODE, c.key, new GCMParameterSpec(tagLength * 8, c.iv));
                    if (encrypted) {
                        c.cipher.updateAAD(packet, off, RTCP_HEADER);
                        c.cipher.updateAAD(packet, eIndexAt, SRTCP_INDEX);
                        c.cipher.doFinal(packet, off + RTCP_HEADER, plen - RTCP_HEADER + tagLength, out,
                                RTCP_HEADER);
                    } else {
                        // E=0 (RFC 7714 §9.2): the whole packet is associated data, the plaintext empty.
                        c.cipher.updateAAD(packet, off, plen);
                        c.cipher.updateAAD(packet, eIndexAt, SRTCP_INDEX);
                        c.cipher.doFinal(packet, off + plen, tagLength);
                        System.arraycopy(packet, off + RTCP_HEADER, out, RTCP_HEADER, plen - RTCP_HEADER);
                    }
                } else {
                    hmac(c, packet, off, plen + SRTCP_INDEX, 0, false);
                    if (!tagEquals(c.macOut, packet, off + plen + SRTCP_INDEX, tagLength)) {
                        return null;
                    }
                    if (encrypted) {
                        cmIv(c.iv, c.salt, ssrc, index);
                        c.cipher.init(Cipher.DECRYPT_MODE, c.key, new IvParameterSpec(c.iv));
                        c.cipher.doFinal(packet, off + RTCP_HEADER, plen - RTCP_HEADER, out, RTCP_HEADER);
                    } else {
                        System.arraycopy(packet, off + RTCP_HEADER, out, RTCP_HEADER, plen - RTCP_HEADER);
                    }
                }
                System.arraycopy(packet, off, out, 0, RTCP_HEADER);
                accept(c, ssrc, index);
                return out;
            } catch (GeneralSecurityException | RuntimeException e) {
                return null;
            }
        }
    }

    // --------------------------------------------------------------- helpers

    /** Per direction and packet kind: keys, cached crypto objects, scratch buffers, SSRC state. */
    private final class Context {
        final SecretKeySpec key;
        final byte[] salt;
        final byte[] authKey;
        final int windowSize;
        final SsrcTable<ReplayWindow> windows = new SsrcTable<>();
        final byte[] iv;
        final byte[] macOut = new byte[20];
        final byte[] word = new byte[4];
        Cipher cipher;
        Mac mac;

        Context(byte[] key, byte[] salt, byte[] authKey, int windowSize) {
            this.key = new SecretKeySpec(key, "AES");
            this.salt = salt;
            this.authKey = authKey;
            this.windowSize = windowSize;
            this.iv = new byte[gcm ? 12 : 16];
        }

        /** Creates the Cipher/Mac on first use; callers hold the context's lock. */
        void ensureCrypto() throws GeneralSecurityException {
            if (cipher != null) {
                return;
            }
            Mac m = null;
            if (!gcm) {
                m = Mac.getInstance("HmacSHA1");
                m.init(new SecretKeySpec(authKey, "HmacSHA1"));
            }
            Cipher ci = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "AES/CTR/NoPadding");
            mac = m;
            cipher = ci;
        }
    }

    /** HMAC-SHA1 over {@code data[off, off+len)} (then the ROC for SRTP) into {@code c.macOut}. */
    private static void hmac(Context c, byte[] data, int off, int len, int roc, boolean withRoc)
            throws GeneralSecurityException {
        Mac m = c.mac;
        m.reset();
        m.update(data, off, len);
        if (withRoc) {
            put32(c.word, 0, roc);
            m.update(c.word, 0, 4);
        }
        m.doFinal(c.macOut, 0);
    }

    /**
     * The RFC 3711 Appendix A index estimate for {@code seq} given the highest accepted index. A
     * guess of ROC-1 while ROC is 0 has no valid index; it is taken as ROC 0 (a forward jump).
     *
     * @return the 48-bit index, or -1 if the rollover counter would overflow
     */
    static long estimateIndex(long highest, int seq) {
        long roc = highest >>> 16;
        int sl = (int) (highest & 0xFFFF);
        long v;
        if (sl < 0x8000) {
            v = seq - sl > 0x8000 ? roc - 1 : roc;
        } else {
            v = sl - 0x8000 > seq ? roc + 1 : roc;
        }
        if (v < 0) {
            v = 0;
        }
        if (v > MAX_ROC) {
            return -1;
        }
        return (v << 16) | seq;
    }

    /** AES-CM IV (RFC 3711 §4.1.1): (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
    private static void cmIv(byte[] iv, byte[] salt, int ssrc, long index) {
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[14] = 0;
        iv[15] = 0;
        iv[4] ^= (byte) (ssrc >>> 24);
        iv[5] ^= (byte) (ssrc >>> 16);
        iv[6] ^= (byte) (ssrc >>> 8);
        iv[7] ^= (byte) ssrc;
        iv[8] ^= (byte) (index >>> 40);
        iv[9] ^= (byte) (index >>> 32);
        iv[10] ^= (byte) (index >>> 24);
        iv[11] ^= (byte) (index >>> 16);
        iv[12] ^= (byte) (index >>> 8);
        iv[13] ^= (byte) index;
    }

    /** RFC 7714 §8.1: salt XOR (00 00 | SSRC | ROC | SEQ). */
    private static void rtpGcmIv(byte[] iv, byte[] salt, int ssrc, long roc, int seq) {
        System.arraycopy(salt, 0, iv, 0, 12);
        iv[2] ^= (byte) (ssrc >>> 24);
        iv[3] ^= (byte) (ssrc >>> 16);
        iv[4] ^= (byte) (ssrc >>> 8);
        iv[5] ^= (byte) ssrc;
        iv[6] ^= (byte) (roc >>> 24);
        iv[7] ^= (byte) (roc >>> 16);
        iv[8] ^= (byte) (roc >>> 8);
        iv[9] ^= (byte) roc;
        iv[10] ^= (byte) (seq >>> 8);
        iv[11] ^= (byte) seq;
    }

    /** RFC 7714 §9.1: salt XOR (00 00 | SSRC | 00 00 | 0 | 31-bit SRTCP index). */
    private static void rtcpGcmIv(byte[] iv, byte[] salt, int ssrc, int index) {
        System.arraycopy(salt, 0, iv, 0, 12);
        iv[2] ^= (byte) (ssrc >>> 24);
        iv[3] ^= (byte) (ssrc >>> 16);
        iv[4] ^= (byte) (ssrc >>> 8);
        iv[5] ^= (byte) ssrc;
        iv[8] ^= (byte) ((index >>> 24) & 0x7F);
        iv[9] ^= (byte) (index >>> 16);
        iv[10] ^= (byte) (index >>> 8);
        iv[11] ^= (byte) index;
    }

    /**
     * The AES-CM PRF of RFC 3711 §4.3 with key derivation rate 0: AES-CM keystream under the master
     * key with IV = ((master salt, as a 112-bit value) XOR (label * 2^48)) * 2^16. A 96-bit salt
     * (RFC 7714) is first multiplied by 2^16.
     */
    static byte[] deriveKey(byte[] masterKey, byte[] masterSalt, int label, int length) {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, Math.min(14, masterSalt.length));
        iv[7] ^= (byte) label;
        return aesCmKeystream(masterKey, iv, length);
    }

    /** {@code length} bytes of AES counter-mode keystream from the 128-bit counter block {@code iv}. */
    static byte[] aesCmKeystream(byte[] key, byte[] iv, int length) {
        try {
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return c.doFinal(new byte[length]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR unavailable", e);
        }
    }

    /** Test hook: the highest SRTP index sent for {@code ssrc}, or -1. */
    long rtpSendIndex(int ssrc) {
        synchronized (rtpOut) {
            ReplayWindow w = rtpOut.windows.get(ssrc);
            return w == null ? -1 : w.highest;
        }
    }

    /** Test hook: the highest SRTP index accepted for {@code ssrc}, or -1. */
    long rtpReceiveIndex(int ssrc) {
        synchronized (rtpIn) {
            ReplayWindow w = rtpIn.windows.get(ssrc);
            return w == null ? -1 : w.highest;
        }
    }

    /** Test hook: the SRTCP index the next protectRtcp for {@code ssrc} uses. */
    void setNextRtcpIndex(int ssrc, int index) {
        synchronized (rtcpOut) {
            ReplayWindow w = rtcpOut.windows.get(ssrc);
            if (w == null) {
                w = new ReplayWindow(rtcpOut.windowSize);
                rtcpOut.windows.put(ssrc, w);
            }
            w.highest = index - 1L;
        }
    }

    private static boolean inBounds(byte[] p, int off, int len) {
        return p != null && off >= 0 && len >= 0 && off <= p.length - len;
    }

    private static boolean tagEquals(byte[] expected, byte[] p, int at, int n) {
        int diff = 0;
        for (int i = 0; i < n; i++) {
            diff |= expected[i] ^ p[at + i];
        }
        return diff == 0;
    }

    private static int u16(byte[] p, int at) {
        return ((p[at] & 0xFF) << 8) | (p[at + 1] & 0xFF);
    }

    private static int i32(byte[] p, int at) {
        return ((p[at] & 0xFF) << 24) | ((p[at + 1] & 0xFF) << 16) | ((p[at + 2] & 0xFF) << 8)
                | (p[at + 3] & 0xFF);
    }

    private static void put32(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }
}
