package org.opencalling.relay.sfu.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * The RTCP an SFU reads and writes (RFC 3550 §6, RFC 4585 feedback, RFC 5104 FIR, REMB from
 * draft-alvestrand-rmcat-remb). A compound packet is split into items; a malformed one is null.
 */
public final class Rtcp {
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int RTPFB = 205;
    public static final int PSFB = 206;
    /** RTPFB FMT 1: generic NACK. */
    public static final int FMT_NACK = 1;
    /** PSFB FMT 1: picture loss indication; 4: full intra request; 15: application layer (REMB). */
    public static final int FMT_PLI = 1;
    public static final int FMT_FIR = 4;
    public static final int FMT_AFB = 15;

    /** One packet of a compound: its type, FMT/count field, and where it lies. */
    public record Item(int type, int fmt, int off, int len) {
    }

    private Rtcp() {
    }

    /** The packets of a compound, or null when any length or version is wrong. */
    public static List<Item> split(byte[] b, int off, int len) {
        List<Item> items = new ArrayList<>(2);
        int i = off;
        int end = off + len;
        while (i < end) {
            if (end - i < 4 || (b[i] & 0xC0) != 0x80) {
                return null;
            }
            int words = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            int n = 4 * (words + 1);
            if (n > end - i) {
                return null;
            }
            items.add(new Item(b[i + 1] & 0xFF, b[i] & 0x1F, i, n));
            i += n;
        }
        return items.isEmpty() ? null : items;
    }

    /** The packet's sender SSRC (every type here has one right after the header), or -1. */
    public static long senderSsrc(byte[] b, Item it) {
        return it.len >= 8 ? RtpHeader.u32(b, it.off + 4) : -1;
    }

    /** The media source of a feedback message (RTPFB/PSFB), or -1. */
    public static long mediaSsrc(byte[] b, Item it) {
        return it.len >= 12 && (it.type == RTPFB || it.type == PSFB) ? RtpHeader.u32(b, it.off + 8) : -1;
    }

    public static boolean isPli(Item it) {
        return it.type == PSFB && it.fmt == FMT_PLI;
    }

    public static boolean isFir(Item it) {
        return it.type == PSFB && it.fmt == FMT_FIR;
    }

    public static boolean isNack(Item it) {
        return it.type == RTPFB && it.fmt == FMT_NACK;
    }

    public static boolean isRemb(byte[] b, Item it) {
        return it.type == PSFB && it.fmt == FMT_AFB && it.len >= 20
                && b[it.off + 12] == 'R' && b[it.off + 13] == 'E' && b[it.off + 14] == 'M' && b[it.off + 15] == 'B';
    }

    /** A REMB's estimate in bits per second. */
    public static long rembBitrate(byte[] b, Item it) {
        int exp = (b[it.off + 17] & 0xFC) >>> 2;
        long mantissa = ((long) (b[it.off + 17] & 0x03) << 16) | ((b[it.off + 18] & 0xFF) << 8) | (b[it.off + 19] & 0xFF);
        return exp > 40 ? Long.MAX_VALUE : mantissa << exp;
    }

    /** The SSRCs a REMB applies to. */
    public static List<Long> rembSsrcs(byte[] b, Item it) {
        int count = b[it.off + 16] & 0xFF;
        List<Long> ssrcs = new ArrayList<>(count);
        for (int k = 0; k < count && 20 + 4 * (k + 1) <= it.len; k++) {
            ssrcs.add(RtpHeader.u32(b, it.off + 20 + 4 * k));
        }
        return ssrcs;
    }

    /** The SSRCs a FIR asks keyframes of (its FCI entries). */
    public static List<Long> firTargets(byte[] b, Item it) {
        List<Long> ssrcs = new ArrayList<>(1);
        for (int i = 12; i + 8 <= it.len; i += 8) {
            ssrcs.add(RtpHeader.u32(b, it.off + i));
        }
        return ssrcs;
    }

    /** The sequence numbers a generic NACK asks for (PID and its bitmask of the 16 following). */
    public static List<Integer> nackSequences(byte[] b, Item it) {
        List<Integer> seqs = new ArrayList<>();
        for (int i = 12; i + 4 <= it.len; i += 4) {
            int pid = ((b[it.off + i] & 0xFF) << 8) | (b[it.off + i + 1] & 0xFF);
            int blp = ((b[it.off + i + 2] & 0xFF) << 8) | (b[it.off + i + 3] & 0xFF);
            seqs.add(pid);
            for (int k = 0; k < 16; k++) {
                if ((blp & (1 << k)) != 0) {
                    seqs.add((pid + k + 1) & 0xFFFF);
                }
            }
        }
        return seqs;
    }

    /** A picture loss indication from sender about media. */
    public static byte[] pli(long sender, long media) {
        byte[] p = new byte[12];
        p[0] = (byte) (0x80 | FMT_PLI);
        p[1] = (byte) PSFB;
        p[3] = 2;
        RtpHeader.putU32(p, 4, sender);
        RtpHeader.putU32(p, 8, media);
        return p;
    }

    /** A receiver estimated maximum bitrate for the given SSRCs. */
    public static byte[] remb(long sender, long bitsPerSecond, List<Long> ssrcs) {
        int n = ssrcs.size();
        byte[] p = new byte[20 + 4 * n];
        p[0] = (byte) (0x80 | FMT_AFB);
        p[1] = (byte) PSFB;
        int words = p.length / 4 - 1;
        p[2] = (byte) (words >>> 8);
        p[3] = (byte) words;
        RtpHeader.putU32(p, 4, sender);
        // media source SSRC: 0 for REMB
        p[12] = 'R';
        p[13] = 'E';
        p[14] = 'M';
        p[15] = 'B';
        p[16] = (byte) n;
        int exp = 0;
        long mantissa = Math.max(0, bitsPerSecond);
        while (mantissa > 0x3FFFF) {
            mantissa >>>= 1;
            exp++;
        }
        p[17] = (byte) ((exp << 2) | (int) (mantissa >>> 16));
        p[18] = (byte) (mantissa >>> 8);
        p[19] = (byte) mantissa;
        for (int k = 0; k < n; k++) {
            RtpHeader.putU32(p, 20 + 4 * k, ssrcs.get(k));
        }
        return p;
    }
}
