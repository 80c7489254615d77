package org.opencalling.relay.sfu.srtp;

import java.util.Arrays;

/**
 * Per-SSRC sliding replay window (RFC 3711 §3.3.2) over a 48-bit SRTP or 31-bit SRTCP index. The
 * bitmap is a ring: bit {@code index mod size} records whether {@code index} was seen, for indices
 * in {@code (highest - size, highest]}. Not thread-safe; guarded by the owning session.
 */
final class ReplayWindow {
    private final long[] bits;
    private final int mask;
    /** Highest accepted index, or -1 before the first packet. */
    long highest = -1;

    /** @param size window size in packets; a power of two and a multiple of 64 */
    ReplayWindow(int size) {
        bits = new long[size >>> 6];
        mask = size - 1;
    }

    int size() {
        return mask + 1;
    }

    /** Whether {@code index} is neither a replay nor older than the window. Does not change state. */
    boolean check(long index) {
        if (index < 0) {
            return false;
        }
        if (highest < 0 || index > highest) {
            return true;
        }
        if (highest - index > mask) {
            return false;
        }
        return !get(index);
    }

    /** Records {@code index} as received; call only after the packet authenticated. */
    void accept(long index) {
        if (highest < 0 || index - highest > mask) {
            Arrays.fill(bits, 0L);
            highest = index;
        } else if (index > highest) {
            for (long i = highest + 1; i < index; i++) {
                clear(i);
            }
            highest = index;
        }
        set(index);
    }

    private boolean get(long index) {
        int bit = (int) (index & mask);
        return (bits[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    private void set(long index) {
        int bit = (int) (index & mask);
        bits[bit >>> 6] |= 1L << (bit & 63);
    }

    private void clear(long index) {
        int bit = (int) (index & mask);
        bits[bit >>> 6] &= ~(1L << (bit & 63));
    }
}
