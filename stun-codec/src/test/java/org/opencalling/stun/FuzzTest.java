package org.opencalling.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property tests: no input makes the decoder throw; what the encoder writes decodes to itself. */
class FuzzTest {
    final StunDecoder decoder = new StunDecoder();

    @Test
    void randomAndMutatedPacketsNeverThrow() {
        Random random = new Random(5769);
        byte[][] seeds = {Rfc5769Test.SAMPLE_REQUEST, Rfc5769Test.IPV4_RESPONSE, Rfc5769Test.IPV6_RESPONSE,
            Rfc5769Test.LONG_TERM_REQUEST};
        int decoded = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[random.nextInt(120)];
                random.nextBytes(b);
                if (b.length >= 8 && random.nextBoolean()) { // often enough past the cheap checks
                    b[0] &= 0x3F;
                    b[4] = 0x21;
                    b[5] = 0x12;
                    b[6] = (byte) 0xA4;
                    b[7] = 0x42;
                    if (b.length >= 20) {
                        int len = b.length - 20;
                        b[2] = (byte) (len >>> 8);
                        b[3] = (byte) len;
                    }
                }
            } else {
                b = seeds[random.nextInt(seeds.length)].clone();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(4) == 0) {
                    b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
                }
            }
            if (exercise(decoder, b)) {
                decoded++;
            }
        }
        assertTrue(decoded > 1000, "the fuzzing reached past the header checks: " + decoded);
    }

    /**
     * Everything a relay does with a packet from outside, on {@code b}: decode it, and if it is a
     * message, check its integrity, fingerprint and attributes; read it as ChannelData too. None
     * of it may throw. True when it decoded as a message.
     */
    static boolean exercise(StunDecoder decoder, byte[] b) {
        StunDecoder.Result r = decoder.decode(b);
        assertTrue(r.ok() ^ (r.error() != null));
        ChannelData.channel(b, 0, b.length);
        if (!r.ok()) {
            return false;
        }
        StunMessage m = r.message();
        StunIntegrity.verify(m, new byte[] {1});
        StunIntegrity.verifySha256(m, new byte[] {1});
        StunIntegrity.verifyFingerprint(m);
        for (StunAttribute a : m.attributes()) {
            XorAddress.decode(a.value(), m.transactionId());
            ErrorCode.decode(a.value());
            a.asU32();
        }
        return true;
    }

    @Test
    void encodedMessagesDecodeToThemselves() {
        Random random = new Random(8489);
        for (int i = 0; i < 5_000; i++) {
            byte[] tid = new byte[12];
            random.nextBytes(tid);
            StunEncoder e = StunEncoder.message(random.nextInt(0x1000), random.nextInt(4), tid);
            int n = random.nextInt(8);
            java.util.List<StunAttribute> added = new java.util.ArrayList<>();
            for (int k = 0; k < n; k++) {
                int type = random.nextInt(0x10000);
                if (type == StunTypes.MESSAGE_INTEGRITY || type == StunTypes.MESSAGE_INTEGRITY_SHA256
                        || type == StunTypes.FINGERPRINT) {
                    continue;
                }
                byte[] v = new byte[random.nextInt(40)];
                random.nextBytes(v);
                StunAttribute a = StunAttribute.of(type, v);
                added.add(a);
                e.add(a);
            }
            byte[] key = new byte[16];
            random.nextBytes(key);
            boolean mi = random.nextBoolean();
            if (mi) {
                e.integrity(key);
            }
            e.fingerprint();
            StunMessage m = decoder.decode(e.encode()).message();
            assertEquals(added, m.attributes().subList(0, added.size()));
            assertEquals(mi, StunIntegrity.verify(m, key));
            assertTrue(StunIntegrity.verifyFingerprint(m));
        }
    }
}
