package org.opencalling.stun;

/**
 * Frames on a stream transport (TURN over TCP, RFC 8656 §11.5): STUN messages and ChannelData
 * back to back, each told apart by its first two bits and sized by its length field (ChannelData
 * padded to four bytes). Pure: bytes in, a frame's size out; nothing is allocated.
 */
public final class StreamFraming {
    /** Not a whole frame yet: read more. */
    public static final int NEED_MORE = 0;
    /** Neither STUN nor ChannelData: the stream cannot be resynchronised, drop the connection. */
    public static final int UNFRAMEABLE = -1;
    /** The largest frame a stream carries: a STUN header and the longest length field. */
    public static final int MAX_FRAME = StunTypes.HEADER_LENGTH + 0xFFFF;

    private StreamFraming() {
    }

    /**
     * The bytes the frame starting at {@code off} takes on the stream (padding included), if all
     * {@code available} bytes hold it; else {@link #NEED_MORE} or {@link #UNFRAMEABLE}.
     */
    public static int frameLength(byte[] b, int off, int available) {
        if (available < 4) {
            return NEED_MORE;
        }
        int first = b[off] & 0xC0;
        int length = ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
        int frame;
        if (first == 0) {
            frame = StunTypes.HEADER_LENGTH + length; // STUN: its length field excludes the header
        } else if (first == 0x40) {
            frame = ChannelData.streamFrameLength(length);
        } else {
            return UNFRAMEABLE;
        }
        return available < frame ? NEED_MORE : frame;
    }

    /** The message in a frame {@link #frameLength} accepted: a STUN message whole, ChannelData without its padding. */
    public static int messageLength(byte[] b, int off, int frameLength) {
        return (b[off] & 0xC0) == 0 ? frameLength : 4 + (((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF));
    }
}
