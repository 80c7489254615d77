package org.opencalling.stun;

/**
 * ChannelData messages (RFC 8656 §12.4): a channel number, a length, the data; over TCP (and
 * TLS) padded to a multiple of four bytes, over UDP not necessarily. Channel numbers are taken in
 * RFC 5766's range 0x4000–0x7FFF, not only RFC 8656's 0x4000–0x4FFF: clients written to RFC 5766
 * (coturn's own turnutils_uclient picks 0x581E, for one) use the upper part, and on these ports
 * nothing else starts with a byte of 64–127 (RFC 7983; QUIC, which RFC 9443 put there, is not served).
 */
public final class ChannelData {
    public static final int MIN_CHANNEL = 0x4000;
    public static final int MAX_CHANNEL = 0x7FFF;

    private ChannelData() {
    }

    /** Whether the first byte says ChannelData (64–127). */
    public static boolean looksLikeChannelData(byte[] b, int off, int len) {
        return len >= 4 && (b[off] & 0xC0) == 0x40;
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
            throw new IllegalArgumentException("channel 0x4000-0x7FFF and at most 65,535 bytes");
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
