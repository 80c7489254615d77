package org.opencalling.relay.sfu.sdp;

import java.util.List;
import java.util.Locale;

/**
 * The codecs the SFU offers, with the same payload types to everyone, so a forwarded packet
 * needs no rewriting: Opus for audio; for video one codec per room, VP8 or H.264, since an SFU
 * cannot transcode and every receiver must decode what every sender sends. No RTX (a NACK is
 * answered with the packet itself) and no header extensions (streams are told apart by the SSRCs
 * the SDP declares).
 */
public final class Codecs {
    public static final int OPUS = 111;

    /** The video codecs a room may use, by the name the SDK gives (case-insensitive). */
    public enum Video {
        VP8(96, "VP8/90000", null),
        /**
         * Constrained Baseline, packetization-mode 1: the profile RFC 7742 makes every WebRTC
         * browser support; level-asymmetry lets each side send at its own level.
         */
        H264(102, "H264/90000", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");

        public final int payloadType;
        public final String rtpmap;
        public final String fmtp;

        Video(int payloadType, String rtpmap, String fmtp) {
            this.payloadType = payloadType;
            this.rtpmap = rtpmap;
            this.fmtp = fmtp;
        }

        /** A codec by name (VP8, H264; case-insensitive), or null if the SFU has none of that name. */
        public static Video named(String name) {
            if (name == null) {
                return null;
            }
            String n = name.toUpperCase(Locale.ROOT);
            for (Video v : values()) {
                if (v.name().equals(n)) {
                    return v;
                }
            }
            return null;
        }

        /** The first of a browser's codecs (its order of preference) the SFU has; VP8 if none or none given. */
        public static Video preferred(List<String> names) {
            for (String n : names) {
                Video v = named(n);
                if (v != null) {
                    return v;
                }
            }
            return VP8;
        }

        /** Whether a browser with these codecs can take part in a room using this one (no list: assumed). */
        public boolean supportedBy(List<String> names) {
            return names.isEmpty() || names.stream().anyMatch(n -> named(n) == this);
        }
    }

    private Codecs() {
    }

    /** The media kind of a payload type in a room with this video codec, or null for one not offered there. */
    public static Kind kindOf(int payloadType, Video video) {
        return payloadType == OPUS ? Kind.AUDIO : payloadType == video.payloadType ? Kind.VIDEO : null;
    }

    public enum Kind {
        AUDIO("audio"), VIDEO("video");

        public final String sdp;

        Kind(String sdp) {
            this.sdp = sdp;
        }
    }
}
