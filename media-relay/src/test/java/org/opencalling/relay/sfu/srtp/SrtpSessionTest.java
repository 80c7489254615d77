package org.opencalling.relay.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SrtpSessionTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static byte[] block(byte[] stream, int counter) {
        return Arrays.copyOfRange(stream, counter * 16, counter * 16 + 16);
    }

    // ---------------------------------------------------------------- RFC 3711 Appendix B

    /** RFC 3711 Appendix B.2, AES-CM keystream segment. */
    @Test
    void rfc3711AppendixB2Keystream() {
        byte[] key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
        // Session salt F0F1F2F3F4F5F6F7F8F9FAFBFCFD, ROC 0, SEQ 0, SSRC 0: the IV is the salt * 2^16.
        byte[] iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        byte[] ks = SrtpSession.aesCmKeystream(key, iv, 0xFF02 * 16);
        assertEquals("e03ead0935c95e80e166b16dd92b4eb4", hex(block(ks, 0x0000)));
        assertEquals("d23513162b02d0f72a43a2fe4a5f97ab", hex(block(ks, 0x0001)));
        assertEquals("41e95b3bb0a2e8dd477901e4fca894c0", hex(block(ks, 0x0002)));
        assertEquals("ec8cdf7398607cb0f2d21675ea9ea1e4", hex(block(ks, 0xFEFF)));
        assertEquals("362b7c3c6773516318a077d7fc5073ae", hex(block(ks, 0xFF00)));
        assertEquals("6a2cc3787889374fbeb4c81b17ba6c44", hex(block(ks, 0xFF01)));
    }

    /** RFC 3711 Appendix B.3, key derivation test vectors (labels 0x00, 0x02, 0x01). */
    @Test
    void rfc3711AppendixB3KeyDerivation() {
        byte[] masterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        byte[] masterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");
        assertEquals("c61e7a93744f39ee10734afe3ff7a087",
                hex(SrtpSession.deriveKey(masterKey, masterSalt, 0x00, 16)));
        assertEquals("30cbbc08863d8c85d49db34a9ae1",
                hex(SrtpSession.deriveKey(masterKey, masterSalt, 0x02, 14)));
        assertEquals(("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
                + "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
                + "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2").toLowerCase(),
                hex(SrtpSession.deriveKey(masterKey, masterSalt, 0x01, 94)));
    }

    /**
     * Not an RFC vector: the SRTP/SRTCP known answers libsrtp's test driver uses (AES_CM_128_HMAC_SHA1_80,
     * RFC 3711 B.3 master key/salt, SSRC cafebabe, SRTCP index 1) — pins the full packet layout
     * (HMAC over header | payload | ROC, and over header | payload | E|index) against that implementation.
     */
    @Test
    void libsrtpKnownAnswerAesCm() {
        byte[] masterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        byte[] masterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");
        byte[] rtp = hex("800f1234decafbadcafebabe" + "ab".repeat(16));
        byte[] srtp = hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
        SrtpSession tx = new SrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, masterKey, masterSalt);
        assertEquals(hex(srtp), hex(tx.protectRtp(rtp, 0, rtp.length)));
        SrtpSession rx = new SrtpSession(SrtpProfile.AES_CM_128_HMAC_SHA1_80, masterKey, masterSalt);
        assertArrayEquals(rtp, rx.unprotectRtp(srtp, 0, srtp.length));

        byte[] rtcp = hex("81c8000bcafebabe" + "ab".repeat(16));
        byte[] srtcp = hex("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");
        tx.setNextRtcpIndex(0xcafebabe, 1);
        assertEquals(hex(srtcp), hex(tx.protectRtcp(rtcp, 0, rtcp.length)));
        assertArrayEquals(rtcp, rx.unprotectRtcp(srtcp, 0, srtcp.length));
        assertNull(rx.unprotectRtcp(srtcp, 0, srtcp.length), "SRTCP replay");
    }

    // ------------------------------------------------------------------ RFC 7714 §16, §17

    // RFC 7714 §16/§17 give session keys directly: Key 000102...0f, Salt "Quid pro quo".
    private static final byte[] GCM_KEY = hex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] GCM_SALT = hex("517569642070726f2071756f");

    private static SrtpSession rfc7714Session() {
        return SrtpSession.withSessionKeys(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, null, GCM_KEY,
                GCM_SALT, null);
    }

    // RFC 7714 §16: header 8040f17b 8041f8d3 5501a0b2, payload "Gallia est omnis divisa in partes tres".
    private static final byte[] RFC7714_RTP = hex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f"
            + "6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573");
    // RFC 7714 §16.1.1, "Encrypted and tagged packet" (AEAD_AES_128_GCM).
    private static final byte[] RFC7714_SRTP = hex("8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c"
            + "9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce");
    // RFC 7714 §17: the RTCP packet (SSRC 4d617273), protected with SRTCP index 0x5d4.
    private static final byte[] RFC7714_RTCP = hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a"
            + "0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef");
    // RFC 7714 §17.1, "Encrypted and tagged packet" (E=1).
    private static final byte[] RFC7714_SRTCP = hex("81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99"
            + "7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872"
            + "45d9eade 800005d4");
    // RFC 7714 §17.3, tagged but not encrypted (E=0): packet | tag | 000005d4.
    private static final byte[] RFC7714_SRTCP_E0 = hex("81c8000d 4d617273 4e545031 4e545032 52545020"
            + "0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef"
            + "841dd968 3dd78ec9 2ae58790 125f62b3 000005d4");

    /** RFC 7714 §16.1.1 encryption and §16.1.2 verification/decryption. */
    @Test
    void rfc7714Section16RtpVector() {
        assertEquals(hex(RFC7714_SRTP), hex(rfc7714Session().protectRtp(RFC7714_RTP, 0, RFC7714_RTP.length)));
        SrtpSession rx = rfc7714Session();
        assertArrayEquals(RFC7714_RTP, rx.unprotectRtp(RFC7714_SRTP, 0, RFC7714_SRTP.length));
        assertNull(rx.unprotectRtp(RFC7714_SRTP, 0, RFC7714_SRTP.length), "replay");
        for (int i = 0; i < RFC7714_SRTP.length; i++) {
            byte[] bad = RFC7714_SRTP.clone();
            bad[i] ^= 0x01;
            assertNull(rfc7714Session().unprotectRtp(bad, 0, bad.length), "flipped byte " + i);
        }
    }

    /** RFC 7714 §17.1 SRTCP encryption and tagging, and its decryption. */
    @Test
    void rfc7714Section17RtcpVector() {
        SrtpSession tx = rfc7714Session();
        tx.setNextRtcpIndex(0x4d617273, 0x5d4);
        assertEquals(hex(RFC7714_SRTCP), hex(tx.protectRtcp(RFC7714_RTCP, 0, RFC7714_RTCP.length)));
        SrtpSession rx = rfc7714Session();
        assertArrayEquals(RFC7714_RTCP, rx.unprotectRtcp(RFC7714_SRTCP, 0, RFC7714_SRTCP.length));
        assertNull(rx.unprotectRtcp(RFC7714_SRTCP, 0, RFC7714_SRTCP.length), "replay");
        for (int i = 0; i < RFC7714_SRTCP.length; i++) {
            byte[] bad = RFC7714_SRTCP.clone();
            bad[i] ^= 0x01;
            assertNull(rfc7714Session().unprotectRtcp(bad, 0, bad.length), "flipped byte " + i);
        }
    }

    /** RFC 7714 §17.3: SRTCP with E=0 (authenticated, not encrypted). */
    @Test
    void rfc7714Section17UnencryptedRtcpVector() {
        SrtpSession rx = rfc7714Session();
        assertArrayEquals(RFC7714_RTCP, rx.unprotectRtcp(RFC7714_SRTCP_E0, 0, RFC7714_SRTCP_E0.length));
        byte[] bad = RFC7714_SRTCP_E0.clone();
        bad[12] ^= 0x01;
        assertNull(rfc7714Session().unprotectRtcp(bad, 0, bad.length));
    }

    // ------------------------------------------------------------------------ profiles, keys

    @Test
    void profilesAndExporterLayout() {
        assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.byId(0x0001));
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.byId(0x0007));
        assertNull(SrtpProfile.byId(0x0002));
        assertEquals(60, SrtpKeys.exporterLength(SrtpProfile.AES_CM_128_HMAC_SHA1_80));
        assertEquals(56, SrtpKeys.exporterLength(SrtpProfile.AEAD_AES_128_GCM));

        for (SrtpProfile p : SrtpProfile.values()) {
            byte[] material = new byte[SrtpKeys.exporterLength(p)];
            for (int i = 0; i < material.length; i++) {
                material[i] = (byte) i;
            }
            int k = p.keyLength();
            int s = p.saltLength();
            SrtpKeys keys = SrtpKeys.fromExporter(p, material);
            // RFC 5764 §4.2: client key | server key | client salt | server salt.
            assertArrayEquals(Arrays.copyOfRange(material, 0, k), keys.clientKey());
            assertArrayEquals(Arrays.copyOfRange(material, k, 2 * k), keys.serverKey());
            assertArrayEquals(Arrays.copyOfRange(material, 2 * k, 2 * k + s), keys.clientSalt());
            assertArrayEquals(Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s), keys.serverSalt());
            assertThrows(IllegalArgumentException.class,
                    () -> SrtpKeys.fromExporter(p, new byte[SrtpKeys.exporterLength(p) - 1]));

            // The DTLS client's sending session is the DTLS server's receiving session.
            byte[] rtp = rtpPacket(7, 1000, 0x11223344, 0, false, 20);
            byte[] srtp = keys.clientSession().protectRtp(rtp, 0, rtp.length);
            assertArrayEquals(rtp, keys.clientSession().unprotectRtp(srtp, 0, srtp.length));
            assertNull(keys.serverSession().unprotectRtp(srtp, 0, srtp.length));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new SrtpSession(SrtpProfile.AEAD_AES_128_GCM, new byte[16], new byte[14]));
    }

    // ------------------------------------------------------------------------- round trips

    private static final Random RNG = new Random(42);

    private static SrtpSession[] pair(SrtpProfile p) {
        byte[] key = new byte[p.keyLength()];
        byte[] salt = new byte[p.saltLength()];
        RNG.nextBytes(key);
        RNG.nextBytes(salt);
        return new SrtpSession[] {new SrtpSession(p, key, salt), new SrtpSession(p, key, salt)};
    }

    /** An RTP packet with {@code csrcs} CSRCs, optionally a one-byte-header extension, random payload. */
    private static byte[] rtpPacket(int pt, int seq, int ssrc, int csrcs, boolean ext, int payload) {
        int extWords = ext ? 2 : 0;
        int hlen = 12 + 4 * csrcs + (ext ? 4 + 4 * extWords : 0);
        byte[] p = new byte[hlen + payload];
        p[0] = (byte) (0x80 | (ext ? 0x10 : 0) | csrcs);
        p[1] = (byte) pt;
        p[2] = (byte) (seq >>> 8);
        p[3] = (byte) seq;
        p[4] = 0x12;
        p[5] = 0x34;
        p[6] = 0x56;
        p[7] = 0x78;
        p[8] = (byte) (ssrc >>> 24);
        p[9] = (byte) (ssrc >>> 16);
        p[10] = (byte) (ssrc >>> 8);
        p[11] = (byte) ssrc;
        for (int i = 0; i < csrcs; i++) {
            p[12 + 4 * i + 3] = (byte) (i + 1);
        }
        if (ext) {
            int at = 12 + 4 * csrcs;
            p[at] = (byte) 0xBE;
            p[at + 1] = (byte) 0xDE;
            p[at + 3] = (byte) extWords;
            p[at + 4] = 0x10; // id 1, len 1
            p[at + 5] = 0x7F;
        }
        byte[] body = new byte[payload];
        RNG.nextBytes(body);
        System.arraycopy(body, 0, p, hlen, payload);
        return p;
    }

    /** SR (sender 0xCAFEBABE) followed by an SDES packet: a compound RTCP packet. */
    private static byte[] rtcpCompound(int ssrc) {
        byte[] sr = new byte[28];
        sr[0] = (byte) 0x80;
        sr[1] = (byte) 200;
        sr[3] = 6;
        sr[4] = (byte) (ssrc >>> 24);
        sr[5] = (byte) (ssrc >>> 16);
        sr[6] = (byte) (ssrc >>> 8);
        sr[7] = (byte) ssrc;
        for (int i = 8; i < 28; i++) {
            sr[i] = (byte) (i * 7);
        }
        byte[] sdes = hex("81ca0003" + String.format("%08x", ssrc) + "01026869" + "00000000").clone();
        byte[] out = new byte[sr.length + sdes.length];
        System.arraycopy(sr, 0, out, 0, sr.length);
        System.arraycopy(sdes, 0, out, sr.length, sdes.length);
        return out;
    }

    @Test
    void rtpRoundTripWithCsrcsAndExtension() {
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            for (int seq = 100; seq < 110; seq++) {
                byte[] rtp = rtpPacket(111, seq, 0x01020304, 3, true, seq == 100 ? 0 : 100 + seq);
                // Embed in a larger buffer to exercise off/len.
                byte[] buf = new byte[rtp.length + 9];
                System.arraycopy(rtp, 0, buf, 5, rtp.length);
                byte[] srtp = s[0].protectRtp(buf, 5, rtp.length);
                assertNotNull(srtp, p + " seq " + seq);
                assertEquals(rtp.length + p.tagLength(), srtp.length);
                int hlen = 12 + 12 + 12;
                assertArrayEquals(Arrays.copyOf(rtp, hlen), Arrays.copyOf(srtp, hlen), "header stays clear");
                if (rtp.length > hlen + 8) {
                    assertFalse(Arrays.equals(Arrays.copyOfRange(rtp, hlen, rtp.length),
                            Arrays.copyOfRange(srtp, hlen, rtp.length)), "payload encrypted");
                }
                byte[] wire = new byte[srtp.length + 3];
                System.arraycopy(srtp, 0, wire, 3, srtp.length);
                assertArrayEquals(rtp, s[1].unprotectRtp(wire, 3, srtp.length), p + " seq " + seq);
            }
        }
    }

    @Test
    void rtcpCompoundRoundTripReplayAndTamper() {
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            byte[] rtcp = rtcpCompound(0xCAFEBABE);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                byte[] srtcp = s[0].protectRtcp(rtcp, 0, rtcp.length);
                assertEquals(rtcp.length + 4 + p.tagLength(), srtcp.length);
                int eIndexAt = p == SrtpProfile.AEAD_AES_128_GCM ? srtcp.length - 4 : rtcp.length;
                assertEquals(0x80000000 | i, java.nio.ByteBuffer.wrap(srtcp, eIndexAt, 4).getInt(), "E|index");
                sent.add(srtcp);
            }
            // Deliver out of order: 0, 3, 1, 4, 2; then every one again is a replay.
            for (int i : new int[] {0, 3, 1, 4, 2}) {
                byte[] srtcp = sent.get(i);
                for (int b = 0; b < srtcp.length; b++) {
                    byte[] bad = srtcp.clone();
                    bad[b] ^= (byte) 0x80;
                    assertNull(s[1].unprotectRtcp(bad, 0, bad.length), p + " tampered byte " + b);
                }
                assertArrayEquals(rtcp, s[1].unprotectRtcp(srtcp, 0, srtcp.length), p + " index " + i);
            }
            for (byte[] srtcp : sent) {
                assertNull(s[1].unprotectRtcp(srtcp, 0, srtcp.length), p + " replay");
            }
        }
    }

    @Test
    void tamperedRtpIsRejectedAndDoesNotDisturbState() {
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            byte[] rtp = rtpPacket(96, 40000, 0x55667788, 1, true, 60);
            byte[] srtp = s[0].protectRtp(rtp, 0, rtp.length);
            for (int i = 0; i < srtp.length; i++) {
                for (int bit = 0; bit < 8; bit += 3) {
                    byte[] bad = srtp.clone();
                    bad[i] ^= (byte) (1 << bit);
                    assertNull(s[1].unprotectRtp(bad, 0, bad.length), p + " byte " + i + " bit " + bit);
                }
            }
            assertNull(s[1].unprotectRtp(srtp, 0, srtp.length - 1), "truncated");
            assertEquals(-1, s[1].rtpReceiveIndex(0x55667788), "failed packets leave no state");
            assertArrayEquals(rtp, s[1].unprotectRtp(srtp, 0, srtp.length));
            assertNull(s[1].unprotectRtp(srtp, 0, srtp.length), "replay");
        }
    }

    @Test
    void replayWindowOutOfOrderAndFarOutside() {
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            int ssrc = 0x0BADCAFE;
            int n = SrtpSession.RTP_REPLAY_WINDOW + 200;
            byte[][] sent = new byte[n][];
            for (int i = 0; i < n; i++) {
                byte[] rtp = rtpPacket(96, i, ssrc, 0, false, 30);
                sent[i] = s[0].protectRtp(rtp, 0, rtp.length);
            }
            // In order, but hold back 5 (will end up far outside the window) and 1100 / 1150 (within).
            for (int i = 0; i < n; i++) {
                if (i != 5 && i != 1100 && i != 1150) {
                    assertNotNull(s[1].unprotectRtp(sent[i], 0, sent[i].length), p + " seq " + i);
                }
            }
            assertNull(s[1].unprotectRtp(sent[5], 0, sent[5].length), "far outside the window");
            assertNotNull(s[1].unprotectRtp(sent[1150], 0, sent[1150].length), "late but within window");
            assertNotNull(s[1].unprotectRtp(sent[1100], 0, sent[1100].length), "late but within window");
            assertNull(s[1].unprotectRtp(sent[1100], 0, sent[1100].length), "only once");
            assertNull(s[1].unprotectRtp(sent[1150], 0, sent[1150].length), "only once");
            assertNull(s[1].unprotectRtp(sent[n - 1], 0, sent[n - 1].length), "replay of highest");
            // The window's oldest slot (seen) and the first index beyond it.
            int oldest = n - SrtpSession.RTP_REPLAY_WINDOW;
            assertNull(s[1].unprotectRtp(sent[oldest], 0, sent[oldest].length), "oldest slot, already seen");
            assertNull(s[1].unprotectRtp(sent[oldest - 1], 0, sent[oldest - 1].length), "just outside");

            // The sender refuses to reuse an index (keystream/nonce reuse).
            byte[] again = rtpPacket(96, n - 1, ssrc, 0, false, 30);
            assertNull(s[0].protectRtp(again, 0, again.length));
        }
    }

    @Test
    void sequenceWrapIncrementsRocOnBothSides() throws Exception {
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            int ssrc = 0x77777777;
            int total = 70_000;
            int start = 1000;
            for (int i = 0; i < total; i++) {
                int seq = (start + i) & 0xFFFF;
                byte[] rtp = rtpPacket(96, seq, ssrc, 0, false, 8);
                byte[] srtp = s[0].protectRtp(rtp, 0, rtp.length);
                assertArrayEquals(rtp, s[1].unprotectRtp(srtp, 0, srtp.length), p + " packet " + i);
            }
            long expected = start + total - 1L; // ROC 1, seq 5463
            assertEquals(expected, s[0].rtpSendIndex(ssrc));
            assertEquals(expected, s[1].rtpReceiveIndex(ssrc));
            assertEquals(1, expected >>> 16);
        }

        // Independent check with GCM session keys: after the wrap the IV must carry ROC = 1.
        SrtpSession tx = rfc7714Session();
        SrtpSession rx = rfc7714Session();
        int ssrc = 0x5501a0b2;
        byte[][] sent = new byte[6][];
        int[] seqs = {65533, 65534, 65535, 0, 1, 2};
        for (int i = 0; i < seqs.length; i++) {
            byte[] rtp = rtpPacket(96, seqs[i], ssrc, 0, false, 16);
            sent[i] = tx.protectRtp(rtp, 0, rtp.length);
        }
        // Reordered across the wrap: 65533, 0, 65535, 1, 65534, 2.
        for (int i : new int[] {0, 3, 2, 4, 1, 5}) {
            assertNotNull(rx.unprotectRtp(sent[i], 0, sent[i].length), "seq " + seqs[i]);
        }
        assertEquals(65536 + 2, rx.rtpReceiveIndex(ssrc));
        byte[] last = sent[5];
        byte[] iv = GCM_SALT.clone();
        byte[] fields = hex("0000" + "5501a0b2" + "00000001" + "0002");
        for (int i = 0; i < 12; i++) {
            iv[i] ^= fields[i];
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(GCM_KEY, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(last, 0, 12);
        assertEquals(16, c.doFinal(last, 12, last.length - 12).length, "ROC 1 in the IV authenticates");

        // Same for AES-CM: the HMAC must cover header | payload | ROC = 00000001 (RFC 3711 §4.2).
        byte[] authKey = new byte[20];
        Arrays.fill(authKey, (byte) 0x42);
        byte[] cmKey = new byte[16];
        byte[] cmSalt = new byte[14];
        SrtpSession cmTx = SrtpSession.withSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, cmKey, cmSalt,
                authKey, cmKey, cmSalt, authKey);
        byte[] cmLast = null;
        for (int seq : seqs) {
            byte[] rtp = rtpPacket(96, seq, ssrc, 0, false, 16);
            cmLast = cmTx.protectRtp(rtp, 0, rtp.length);
        }
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(authKey, "HmacSHA1"));
        mac.update(cmLast, 0, cmLast.length - 10);
        byte[] tag = mac.doFinal(hex("00000001"));
        assertEquals(hex(Arrays.copyOf(tag, 10)), hex(Arrays.copyOfRange(cmLast, cmLast.length - 10, cmLast.length)));
    }

    /** RFC 3711 §3.3.1 / Appendix A index estimation, including the edges. */
    @Test
    void rocEstimation() {
        assertEquals(65_000, SrtpSession.estimateIndex(65_000, 65_000));
        assertEquals(65_536 + 5, SrtpSession.estimateIndex(65_000, 5), "wrap forward: ROC + 1");
        assertEquals(40_000, SrtpSession.estimateIndex(65_000, 40_000), "same ROC");
        assertEquals(65_000, SrtpSession.estimateIndex(65_536 + 100, 65_000), "late from before the wrap: ROC - 1");
        assertEquals(3 * 65_536L + 200, SrtpSession.estimateIndex(3 * 65_536L + 100, 200));
        assertEquals(40_000, SrtpSession.estimateIndex(100, 40_000), "ROC - 1 with ROC 0: forward jump");
        assertEquals(-1, SrtpSession.estimateIndex((0xFFFF_FFFFL << 16) | 65_000, 5), "ROC exhausted");

        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            for (int seq : new int[] {100, 40_000, 40_001, 7_000, 20_000}) {
                byte[] rtp = rtpPacket(96, seq, 9, 0, false, 10);
                byte[] srtp = s[0].protectRtp(rtp, 0, rtp.length);
                assertArrayEquals(rtp, s[1].unprotectRtp(srtp, 0, srtp.length), p + " seq " + seq);
            }
            assertEquals(65_536 + 20_000, s[1].rtpReceiveIndex(9));
            assertEquals(65_536 + 20_000, s[0].rtpSendIndex(9));
        }
    }

    @Test
    void concurrentUseIsSafe() throws Exception {
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession[] s = pair(p);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int ssrc = 1000 + t;
                    results.add(pool.submit(() -> {
                        int ok = 0;
                        Random r = new Random(ssrc);
                        for (int i = 0; i < 3000; i++) {
                            byte[] rtp = rtpPacket(96, i, ssrc, 0, false, 50);
                            byte[] srtp = s[0].protectRtp(rtp, 0, rtp.length);
                            if (Arrays.equals(rtp, s[1].unprotectRtp(srtp, 0, srtp.length))) {
                                ok++;
                            }
                            if (r.nextInt(10) == 0) {
                                byte[] rtcp = rtcpCompound(ssrc);
                                byte[] srtcp = s[0].protectRtcp(rtcp, 0, rtcp.length);
                                if (!Arrays.equals(rtcp, s[1].unprotectRtcp(srtcp, 0, srtcp.length))) {
                                    ok -= 100_000;
                                }
                            }
                        }
                        return ok;
                    }));
                }
                for (Future<Integer> f : results) {
                    assertEquals(3000, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------------------------ garbage

    @Test
    void garbageNeverThrows() {
        Random r = new Random(1234);
        for (SrtpProfile p : SrtpProfile.values()) {
            SrtpSession s = pair(p)[0];
            for (int i = 0; i < 10_000; i++) {
                byte[] g = new byte[r.nextInt(1501)];
                r.nextBytes(g);
                if (g.length > 0 && r.nextBoolean()) {
                    g[0] = (byte) (0x80 | (g[0] & 0x3F)); // version 2 half the time, to get past the first check
                }
                s.protectRtp(g, 0, g.length);
                s.unprotectRtp(g, 0, g.length);
                s.protectRtcp(g, 0, g.length);
                s.unprotectRtcp(g, 0, g.length);
                int off = r.nextInt(g.length + 3) - 1;
                int len = r.nextInt(g.length + 3) - 1;
                s.protectRtp(g, off, len);
                s.unprotectRtp(g, off, len);
                s.protectRtcp(g, off, len);
                s.unprotectRtcp(g, off, len);
            }
            assertNull(s.protectRtp(null, 0, 0));
            assertNull(s.unprotectRtp(null, 0, 0));
            assertNull(s.protectRtcp(null, 0, 0));
            assertNull(s.unprotectRtcp(null, 0, 0));
            assertNull(s.protectRtp(new byte[12], Integer.MAX_VALUE, 12));
            assertNull(s.unprotectRtcp(new byte[40], 4, Integer.MAX_VALUE));
        }
    }
}
