package org.opencalling.relay.sfu;

/**
 * What a datagram on a shared UDP port is, by its first byte (RFC 7983 §7, with TURN's
 * ChannelData, RFC 8656 §12): STUN 0-3, DTLS 20-63, ChannelData 64-79, RTP/RTCP 128-191.
 */
public enum Demux {
    STUN, DTLS, CHANNEL_DATA, RTP, OTHER;

    public static Demux of(byte[] b, int off, int len) {
        if (len < 1) {
            return OTHER;
        }
        int first = b[off] & 0xFF;
        if (first <= 3) {
            return STUN;
        }
        if (first >= 20 && first <= 63) {
            return DTLS;
        }
        if (first >= 64 && first <= 79) {
            return CHANNEL_DATA;
        }
        if (first >= 128 && first <= 191) {
            return RTP;
        }
        return OTHER;
    }

    /** RTCP rather than RTP on an rtcp-mux transport (RFC 5761 §4: payload types 192-223 are RTCP). */
    public static boolean isRtcp(byte[] b, int off, int len) {
        if (len < 2) {
            return false;
        }
        int pt = b[off + 1] & 0xFF;
        return pt >= 192 && pt <= 223;
    }
}
