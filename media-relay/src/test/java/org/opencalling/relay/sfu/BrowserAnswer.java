package org.opencalling.relay.sfu;

/** Answers to the SFU's offers, written as a browser would write them (for tests without one). */
final class BrowserAnswer {
    static final String UFRAG = "brws";
    static final String PWD = "browserpasswordbrowserpw";

    private BrowserAnswer() {
    }

    /** The answer: the member's own m-lines sendonly with SSRCs from {@code ssrcBase} on, the others recvonly. */
    static String to(String offer, long ssrcBase) {
        int own = 0;
        StringBuilder a = new StringBuilder("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
        for (String m : offer.split("\r\nm=")) {
            if (!m.startsWith("audio") && !m.startsWith("video")) {
                continue;
            }
            String kind = m.substring(0, 5);
            String mid = m.replaceAll("(?s).*a=mid:(\\S+).*", "$1");
            a.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(kind.equals("audio") ? 111 : 96).append("\r\n");
            a.append("a=ice-ufrag:").append(UFRAG).append("\r\na=ice-pwd:").append(PWD).append("\r\n");
            a.append("a=fingerprint:sha-256 ").append("AB:".repeat(31)).append("AB\r\n");
            a.append("a=setup:active\r\na=mid:").append(mid).append("\r\n");
            if (m.contains("a=recvonly")) {
                a.append("a=sendonly\r\na=ssrc:").append(ssrcBase + own++).append(" cname:x\r\n");
            } else if (m.contains("a=sendonly")) {
                a.append("a=recvonly\r\n");
            } else {
                a.append("a=inactive\r\n");
            }
        }
        return a.toString();
    }
}
