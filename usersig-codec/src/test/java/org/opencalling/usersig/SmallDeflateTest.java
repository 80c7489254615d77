package org.opencalling.usersig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** Every output must inflate, with the JDK's zlib, back to the input (checksum included). */
class SmallDeflateTest {

    static byte[] inflate(byte[] z) throws Exception {
        Inflater inf = new Inflater();
        inf.setInput(z);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!inf.finished()) {
            int n = inf.inflate(buf);
            if (n == 0 && !inf.finished() && (inf.needsInput() || inf.needsDictionary())) {
                throw new AssertionError("truncated stream");
            }
            out.write(buf, 0, n);
        }
        assertEquals(0, inf.getRemaining(), "trailing bytes");
        inf.end();
        return out.toByteArray();
    }

    static void roundTrip(byte[] in) throws Exception {
        byte[] z = SmallDeflate.zlib(in);
        assertArrayEquals(in, inflate(z));
        Adler32 a = new Adler32();
        a.update(in);
        long trailer = ((z[z.length - 4] & 0xFFL) << 24) | ((z[z.length - 3] & 0xFF) << 16)
                | ((z[z.length - 2] & 0xFF) << 8) | (z[z.length - 1] & 0xFF);
        assertEquals(a.getValue(), trailer);
    }

    @Test
    void edgeCases() throws Exception {
        roundTrip(new byte[0]);
        roundTrip(new byte[] {0});
        roundTrip(new byte[] {1, 2});
        roundTrip("aaa".getBytes());
        roundTrip("a".repeat(258).getBytes());
        roundTrip("a".repeat(259).getBytes());
        roundTrip("ab".repeat(5000).getBytes());
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        roundTrip(all); // 8- and 9-bit literal codes
        roundTrip(new byte[SmallDeflate.MAX_INPUT]);
        byte[] high = new byte[SmallDeflate.MAX_INPUT];
        java.util.Arrays.fill(high, (byte) 0xFF); // large Adler-32 sums
        roundTrip(high);
        assertThrows(IllegalArgumentException.class, () -> SmallDeflate.zlib(new byte[SmallDeflate.MAX_INPUT + 1]));
    }

    @Test
    void randomInputsOfEveryShape() throws Exception {
        Random r = new Random(7);
        for (int t = 0; t < 3000; t++) {
            int len = r.nextInt(t < 2500 ? 600 : SmallDeflate.MAX_INPUT);
            byte[] in = new byte[len];
            int alphabet = 1 + r.nextInt(t % 3 == 0 ? 256 : 6); // low-entropy inputs make long matches
            for (int i = 0; i < len; i++) {
                in[i] = (byte) r.nextInt(alphabet);
            }
            // Splice in copies from far back: distances across the whole range.
            if (len > 100 && r.nextBoolean()) {
                int from = r.nextInt(len / 2);
                int to = len / 2 + r.nextInt(len / 2 - 50);
                System.arraycopy(in, from, in, to, Math.min(40, len - to));
            }
            roundTrip(in);
        }
    }

    @Test
    void compressesRepetitiveJson() throws Exception {
        byte[] json = ("{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"user_0123456789\",\"TLS.sdkappid\":1400000001,"
                + "\"TLS.expire\":15552000,\"TLS.time\":1795644000,\"TLS.sig\":\"Xb3Nqz1m2yI6D5nRkX8i9bX0FQ3eUJ1kP9dWc8mLxY4=\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] z = SmallDeflate.zlib(json);
        assertTrue(z.length < json.length, z.length + " >= " + json.length);
        roundTrip(json);
    }
}
