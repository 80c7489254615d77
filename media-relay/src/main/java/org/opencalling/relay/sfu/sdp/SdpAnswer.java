package org.opencalling.relay.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * What the SFU needs from a browser's answer: the DTLS fingerprint (sha-256) and setup role, the
 * ICE ufrag and password (to probe an address the browser moves to), and per m-line (in order) whether it was accepted, its direction and the SSRC the
 * browser sends with. Malformed input is an IllegalArgumentException with a short reason.
 */
public record SdpAnswer(String iceUfrag, String icePwd, String fingerprint, String setup, List<Media> media) {
    /** Limits: an answer far beyond what an SFU offer can produce is refused. */
    public static final int MAX_LENGTH = 256 * 1024;
    public static final int MAX_SECTIONS = 256;

    /** One m-line of the answer. */
    public record Media(String kind, String mid, boolean rejected, String direction, long ssrc) {
        public boolean sends() {
            return !rejected && ("sendonly".equals(direction) || "sendrecv".equals(direction));
        }

        public boolean receives() {
            return !rejected && ("recvonly".equals(direction) || "sendrecv".equals(direction));
        }
    }

    public static SdpAnswer parse(String sdp) {
        if (sdp == null || sdp.isEmpty() || sdp.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("no answer, or one over " + MAX_LENGTH + " characters");
        }
        String ufrag = null;
        String pwd = null;
        String fingerprint = null;
        String setup = null;
        List<Media> media = new ArrayList<>();
        String kind = null;
        String mid = null;
        boolean rejected = false;
        String direction = "sendrecv";
        long ssrc = 0;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("m=")) {
                if (kind != null) {
                    media.add(new Media(kind, mid, rejected, direction, ssrc));
                }
                if (media.size() >= MAX_SECTIONS) {
                    throw new IllegalArgumentException("more than " + MAX_SECTIONS + " m-lines");
                }
                String[] f = line.substring(2).split(" ");
                if (f.length < 4) {
                    throw new IllegalArgumentException("malformed m-line");
                }
                kind = f[0];
                rejected = f[1].equals("0");
                mid = null;
                direction = "sendrecv";
                ssrc = 0;
            } else if (line.startsWith("a=ice-ufrag:")) {
                ufrag = line.substring(12);
            } else if (line.startsWith("a=ice-pwd:")) {
                pwd = line.substring(10);
            } else if (line.startsWith("a=fingerprint:")) {
                String[] f = line.substring(14).split(" ");
                if (f.length == 2 && f[0].equalsIgnoreCase("sha-256")) {
                    fingerprint = f[1].toUpperCase(java.util.Locale.ROOT);
                }
            } else if (line.startsWith("a=setup:")) {
                setup = line.substring(8);
            } else if (line.startsWith("a=mid:")) {
                mid = line.substring(6);
            } else if (line.equals("a=sendrecv") || line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive")) {
                direction = line.substring(2);
            } else if (line.startsWith("a=ssrc:") && ssrc == 0 && kind != null) {
                int space = line.indexOf(' ');
                try {
                    ssrc = Long.parseLong(space < 0 ? line.substring(7) : line.substring(7, space));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("malformed a=ssrc");
                }
                if (ssrc <= 0 || ssrc > 0xFFFFFFFFL) {
                    throw new IllegalArgumentException("SSRC out of range");
                }
            }
        }
        if (kind != null) {
            media.add(new Media(kind, mid, rejected, direction, ssrc));
        }
        if (fingerprint == null || !fingerprint.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}")) {
            throw new IllegalArgumentException("no sha-256 fingerprint");
        }
        if (ufrag == null || ufrag.isEmpty() || ufrag.length() > 256) {
            throw new IllegalArgumentException("no ice-ufrag");
        }
        if (pwd == null || pwd.length() < 22 || pwd.length() > 256) {
            throw new IllegalArgumentException("no ice-pwd (22 to 256 characters)");
        }
        if (setup != null && !setup.equals("active")) {
            throw new IllegalArgumentException("the browser must be the DTLS client (a=setup:active), not " + setup);
        }
        return new SdpAnswer(ufrag, pwd, fingerprint, setup, List.copyOf(media));
    }
}
