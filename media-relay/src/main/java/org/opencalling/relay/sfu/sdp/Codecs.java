package org.opencalling.relay.sfu.sdp;

/**
 * The codecs the SFU offers, with the same payload types to everyone, so a forwarded packet
 * needs no rewriting: Opus for audio, VP8 for video. No RTX (a NACK is answered with the packet
 * itself) and no header extensions (streams are told apart by the SSRCs the SDP declares).
 */
public final class Codecs {
    public static final int OPUS = 111;
    public static final int VP8 = 96;

    private Codecs() {
    }

    /** The media kind of a payload type, or null for one the SFU did not offer. */
    public static Kind kindOf(int payloadType) {
        return payloadType == OPUS ? Kind.AUDIO : payloadType == VP8 ? Kind.VIDEO : null;
    }

    public enum Kind {
        AUDIO("audio"), VIDEO("video");

        public final String sdp;

        Kind(String sdp) {
            this.sdp = sdp;
        }
    }
}
