package org.opencalling.stun;

/**
 * ChannelData messages (RFC 8656 §12.4): a channel number 0x4000–0x4FFF, a length, the data;
 * over TCP (and TLS) padded to a multiple of four bytes, over UDP not necessarily.
 */
public final class ChannelData {
    public static final int MIN_CHANNEL = 0x4000;
    public static final int MAX_CHANNEL = 0x4FFF;

    private ChannelData() {
    }

    /** Whether the first byte says ChannelData (RFC 7983: 64–79). */
    public static boolean looksLikeChannelData(byte[] b, int off, int len) {
        return len >= 4 && (b[off] & 0xF0) == 0x40;
    }

    public static boolean validChannel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /** The channel number, or -1 when these bytes are not valid ChannelData. */
    public static int channel(byte[] b, int off, int len) {
        if (len < 4) {
            return -1;
        }
        int channel = StunDecoder.readShort(b, off);
        int length = StunDecoder.readShort(b, off + 2);
        if (!validChannel(channel) || length > len - 4) {
            return -1;
        }
        return channel;
    }

    /** The data length, for a frame {@link #channel} accepted. */
    public static int dataLength(byte[] b, int off) {
        return StunDecoder.readShort(b, off + 2);
    }

    /** Bytes one ChannelData frame takes on a stream transport (header, data, padding). */
    public static int streamFrameLength(int dataLength) {
        return 4 + ((dataLength + 3) & ~3);
    }

    /** A frame: header and data, padded when {@code padded} (stream transports). */
    public static byte[] encode(int channel, byte[] data, int off, int len, boolean padded) {
        if (!validChannel(channel) || len > 0xFFFF) {
            throw new IllegalArgumentException("channel 0x4000-0x4FFF and at most 65,535 bytes");
        }
        byte[] out = new byte[padded ? streamFrameLength(len) : 4 + len];
        out[0] = (byte) (channel >>> 8);
        out[1] = (byte) channel;
        out[2] = (byte) (len >>> 8);
        out[3] = (byte) len;
        System.arraycopy(data, off, out, 4, len);
        return out;
    }
}
