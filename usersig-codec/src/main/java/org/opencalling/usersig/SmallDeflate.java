package org.opencalling.usersig;

import java.util.Arrays;

/**
 * A zlib (RFC 1950) writer for small inputs: greedy LZ77 and one fixed-Huffman block
 * (RFC 1951 section 3.2.6). For a ~200-byte UserSig document it compresses as well as zlib's
 * default level, without zlib's per-stream cost (a reset clears a 64 KiB hash table), which
 * made {@link java.util.zip.Deflater} most of the cost of issuing a ticket. Any inflater reads
 * the output; decoding stays with the JDK's {@link java.util.zip.Inflater}.
 */
final class SmallDeflate {
    /** Inputs up to this size; larger ones would need more than one window's bookkeeping. */
    static final int MAX_INPUT = 16 * 1024;

    private static final int HASH_BITS = 10;
    private static final int MIN_MATCH = 3;
    private static final int MAX_MATCH = 258;

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51,
        59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4,
        4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
        769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
        11, 11, 12, 12, 13, 13};

    /** Fixed literal/length codes, already bit-reversed for LSB-first output: code | (length << 16). */
    private static final int[] LITLEN_CODE = new int[288];
    /** Length (3..258) → symbol index into LENGTH_BASE. */
    private static final byte[] LENGTH_SYMBOL = new byte[MAX_MATCH + 1];

    static {
        for (int sym = 0; sym < 288; sym++) {
            int code;
            int len;
            if (sym < 144) {
                code = 0x30 + sym;
                len = 8;
            } else if (sym < 256) {
                code = 0x190 + sym - 144;
                len = 9;
            } else if (sym < 280) {
                code = sym - 256;
                len = 7;
            } else {
                code = 0xC0 + sym - 280;
                len = 8;
            }
            LITLEN_CODE[sym] = reverse(code, len) | (len << 16);
        }
        for (int s = 0; s < LENGTH_BASE.length; s++) {
            int end = s + 1 < LENGTH_BASE.length ? LENGTH_BASE[s + 1] : MAX_MATCH + 1;
            for (int l = LENGTH_BASE[s]; l < end; l++) {
                LENGTH_SYMBOL[l] = (byte) s;
            }
        }
        LENGTH_SYMBOL[MAX_MATCH] = (byte) (LENGTH_BASE.length - 1); // 258 has its own symbol, 285
    }

    private byte[] out;
    private int pos;
    private long bitBuf;
    private int bitCount;

    private SmallDeflate(int capacity) {
        out = new byte[capacity];
    }

    static byte[] zlib(byte[] in) {
        if (in.length > MAX_INPUT) {
            throw new IllegalArgumentException("input larger than " + MAX_INPUT + " bytes");
        }
        // Fixed Huffman never needs more than 9 bits per literal: this bound always holds.
        SmallDeflate w = new SmallDeflate(in.length * 9 / 8 + 16);
        w.out[w.pos++] = 0x78; // CM=8 (deflate), 32 KiB window
        w.out[w.pos++] = (byte) 0x9C; // default-level marker; (0x78 * 256 + 0x9C) % 31 == 0
        w.bits(1, 1); // BFINAL
        w.bits(1, 2); // BTYPE=01, fixed Huffman
        w.compress(in);
        w.symbol(256); // end of block
        w.flushBits();
        int adler = adler32(in);
        w.out[w.pos++] = (byte) (adler >>> 24);
        w.out[w.pos++] = (byte) (adler >>> 16);
        w.out[w.pos++] = (byte) (adler >>> 8);
        w.out[w.pos++] = (byte) adler;
        return Arrays.copyOf(w.out, w.pos);
    }

    private void compress(byte[] in) {
        int[] head = new int[1 << HASH_BITS]; // position + 1 of the latest occurrence; 0 = none
        int n = in.length;
        int i = 0;
        while (i < n) {
            int bestLen = 0;
            int bestDist = 0;
            if (i + MIN_MATCH <= n) {
                int h = hash(in, i);
                int candidate = head[h] - 1;
                head[h] = i + 1;
                if (candidate >= 0) {
                    int max = Math.min(MAX_MATCH, n - i);
                    int len = 0;
                    while (len < max && in[candidate + len] == in[i + len]) {
                        len++;
                    }
                    if (len >= MIN_MATCH) {
                        bestLen = len;
                        bestDist = i - candidate;
                    }
                }
            }
            if (bestLen == 0) {
                symbol(in[i] & 0xFF);
                i++;
                continue;
            }
            int ls = LENGTH_SYMBOL[bestLen];
            symbol(257 + ls);
            bits(bestLen - LENGTH_BASE[ls], LENGTH_EXTRA[ls]);
            int ds = distSymbol(bestDist);
            bits(reverse(ds, 5), 5);
            bits(bestDist - DIST_BASE[ds], DIST_EXTRA[ds]);
            // Index the positions the match covered, so later text can refer to them.
            int end = i + bestLen;
            for (int k = i + 1; k < end && k + MIN_MATCH <= n; k++) {
                head[hash(in, k)] = k + 1;
            }
            i = end;
        }
    }

    private static int hash(byte[] b, int i) {
        int v = (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16;
        return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    private static int distSymbol(int dist) {
        int s = 0;
        while (s + 1 < DIST_BASE.length && DIST_BASE[s + 1] <= dist) {
            s++;
        }
        return s;
    }

    private void symbol(int sym) {
        int c = LITLEN_CODE[sym];
        bits(c & 0xFFFF, c >>> 16);
    }

    private void bits(int value, int count) {
        bitBuf |= ((long) value) << bitCount;
        bitCount += count;
        while (bitCount >= 8) {
            ensure(1);
            out[pos++] = (byte) bitBuf;
            bitBuf >>>= 8;
            bitCount -= 8;
        }
    }

    private void flushBits() {
        if (bitCount > 0) {
            ensure(1);
            out[pos++] = (byte) bitBuf;
            bitBuf = 0;
            bitCount = 0;
        }
        ensure(4);
    }

    private void ensure(int more) {
        if (pos + more > out.length) {
            out = Arrays.copyOf(out, out.length * 2 + more);
        }
    }

    private static int reverse(int code, int len) {
        return Integer.reverse(code) >>> (32 - len);
    }

    private static int adler32(byte[] in) {
        java.util.zip.Adler32 a = new java.util.zip.Adler32();
        a.update(in);
        return (int) a.getValue();
    }
}
