package org.opencalling.relay.sfu.sdp;

import java.util.List;

/**
 * The SFU's offer to one participant (it always offers; the browser only answers, so offers never
 * collide). Unified plan, one BUNDLEd rtcp-mux transport: first the participant's own tracks,
 * which the SFU receives, then two sections per other member (audio, video), which it sends,
 * declaring their SSRCs and msid (stream = the member's userID) so the browser knows whose media
 * each is. A member who left keeps their sections, inactive: m-lines are never removed.
 */
public final class SdpOffer {
    /** Our side of a section. */
    public enum Direction {
        RECVONLY("recvonly"), SENDONLY("sendonly"), INACTIVE("inactive");

        final String sdp;

        Direction(String sdp) {
            this.sdp = sdp;
        }
    }

    /** One m-line: its kind, our direction and, for what we send, the sender's SSRC and names. */
    public record Section(Codecs.Kind kind, Direction direction, long ssrc, String streamId, String trackId) {
        public static Section receive(Codecs.Kind kind) {
            return new Section(kind, Direction.RECVONLY, 0, null, null);
        }
    }

    /** A host candidate: our public address on one UDP port. */
    public record Candidate(String host, int port) {
    }

    private SdpOffer() {
    }

    public static String build(long sessionId, long version, String ufrag, String pwd, String fingerprint,
            List<Candidate> candidates, List<Section> sections, Codecs.Video video) {
        StringBuilder s = new StringBuilder(1024 + 512 * sections.size());
        line(s, "v=0");
        line(s, "o=- " + sessionId + " " + version + " IN IP4 0.0.0.0");
        line(s, "s=-");
        line(s, "t=0 0");
        StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
        for (int i = 0; i < sections.size(); i++) {
            bundle.append(' ').append(i);
        }
        line(s, bundle.toString());
        line(s, "a=ice-lite");
        line(s, "a=msid-semantic: WMS *");
        for (int i = 0; i < sections.size(); i++) {
            Section m = sections.get(i);
            boolean audio = m.kind() == Codecs.Kind.AUDIO;
            int pt = audio ? Codecs.OPUS : video.payloadType;
            line(s, "m=" + m.kind().sdp + " 9 UDP/TLS/RTP/SAVPF " + pt);
            line(s, "c=IN IP4 0.0.0.0");
            line(s, "a=rtcp:9 IN IP4 0.0.0.0");
            line(s, "a=ice-ufrag:" + ufrag);
            line(s, "a=ice-pwd:" + pwd);
            line(s, "a=fingerprint:sha-256 " + fingerprint);
            line(s, "a=setup:actpass");
            line(s, "a=mid:" + i);
            line(s, "a=" + m.direction().sdp);
            line(s, "a=rtcp-mux");
            if (audio) {
                line(s, "a=rtpmap:" + pt + " opus/48000/2");
                line(s, "a=fmtp:" + pt + " minptime=10;useinbandfec=1");
            } else {
                line(s, "a=rtpmap:" + pt + " " + video.rtpmap);
                line(s, "a=rtcp-fb:" + pt + " goog-remb");
                line(s, "a=rtcp-fb:" + pt + " ccm fir");
                line(s, "a=rtcp-fb:" + pt + " nack");
                line(s, "a=rtcp-fb:" + pt + " nack pli");
                if (video.fmtp != null) {
                    line(s, "a=fmtp:" + pt + " " + video.fmtp);
                }
            }
            if (m.direction() == Direction.SENDONLY) {
                line(s, "a=msid:" + m.streamId() + " " + m.trackId());
                line(s, "a=ssrc:" + m.ssrc() + " cname:" + m.streamId());
                line(s, "a=ssrc:" + m.ssrc() + " msid:" + m.streamId() + " " + m.trackId());
            }
            if (i == 0) {
                int priority = 2130706431;
                int foundation = 1;
                for (Candidate c : candidates) {
                    line(s, "a=candidate:" + foundation++ + " 1 udp " + priority-- + " " + c.host() + " " + c.port() + " typ host");
                }
                line(s, "a=end-of-candidates");
            }
        }
        return s.toString();
    }

    private static void line(StringBuilder s, String line) {
        s.append(line).append("\r\n");
    }
}
