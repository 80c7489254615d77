package org.opencalling.relay.sfu.rtp;

/** Reading (and the few edits an SFU makes to) an RTP header in place (RFC 3550 §5.1). */
public final class RtpHeader {
    private RtpHeader() {
    }

    /** The header's length (fixed part, CSRCs, extension), or -1 if it does not fit in len. */
    public static int length(byte[] b, int off, int len) {
        if (len < 12 || (b[off] & 0xC0) != 0x80) {
            return -1;
        }
        int n = 12 + 4 * (b[off] & 0x0F);
        if ((b[off] & 0x10) != 0) {
            if (n + 4 > len) {
                return -1;
            }
            n += 4 + 4 * (((b[off + n + 2] & 0xFF) << 8) | (b[off + n + 3] & 0xFF));
        }
        return n <= len ? n : -1;
    }

    public static int payloadType(byte[] b, int off) {
        return b[off + 1] & 0x7F;
    }

    public static boolean marker(byte[] b, int off) {
        return (b[off + 1] & 0x80) != 0;
    }

    public static int sequence(byte[] b, int off) {
        return ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    public static long timestamp(byte[] b, int off) {
        return u32(b, off + 4);
    }

    public static long ssrc(byte[] b, int off) {
        return u32(b, off + 8);
    }

    static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    static void putU32(byte[] b, int i, long v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
