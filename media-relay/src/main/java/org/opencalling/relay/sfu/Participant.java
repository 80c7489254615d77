package org.opencalling.relay.sfu;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.sfu.dtls.DtlsServer;
import org.opencalling.relay.sfu.ice.IceLite;
import org.opencalling.relay.sfu.sdp.Codecs;
import org.opencalling.relay.sfu.sdp.SdpOffer;
import org.opencalling.relay.sfu.srtp.SrtpSession;

/**
 * One member of a room: the SFU's transport to one browser (ICE-lite credentials, the selected
 * address, DTLS, SRTP both ways) and the m-lines of its SDP. Fields marked "room" change under the
 * room's lock; the rest are read by the packet path without it.
 */
final class Participant {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One m-line of this participant's SDP: its own track (owner null) or another member's. */
    static final class Slot {
        final Codecs.Kind kind;
        final String owner;
        long ssrc;
        boolean active = true;

        Slot(Codecs.Kind kind, String owner, long ssrc) {
            this.kind = kind;
            this.owner = owner;
            this.ssrc = ssrc;
        }
    }

    /** A return-routability check sent to {@code to}: the browser moves there once it answers. */
    record Probe(FiveTuple to, byte[] transactionId, long sentAt) {
    }

    final Room room;
    final String user;
    final boolean video;
    /** The browser's name for this transport (null: none given). */
    final String transport;
    /** The video codecs the browser can use, most preferred first (empty: not said, any). */
    final List<String> videoCodecs;
    final IceLite.Credentials ice = IceLite.Credentials.random();
    /** The SSRC of the RTCP the SFU itself sends this browser (PLI, REMB). */
    final long rtcpSsrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    final long joinedAt;
    /** "user/audio", "user/video": made once, not per packet. */
    private final String audioStream;
    private final String videoStream;

    // room
    final List<Slot> slots = new ArrayList<>();
    long version;
    boolean awaitingAnswer;
    boolean dirty;
    /** What the outstanding offer offered, slot by slot: whether each was active. */
    List<Boolean> offered = List.of();
    long offeredAt;
    String remoteFingerprint;
    /** Its SDP grew past Sfu.MAX_SLOTS: no more offers; it is asked to join again (every 10 s until it does). */
    volatile boolean compact;
    volatile long compactAskedAt = Long.MIN_VALUE / 2;

    // packet path
    volatile long audioSsrc;
    volatile long videoSsrc;
    /** "owner/kind" of each stream this browser has accepted to receive. */
    volatile Set<String> receiving = Set.of();
    volatile FiveTuple address;
    /** The browser's ICE credentials, from its latest answer: what a probe is keyed with. */
    volatile String remoteUfrag;
    volatile String remotePwd;
    /** Guards the path: address, probe, and removed as the ICE side sees them. */
    final Object pathLock = new Object();
    /** An address the browser asked to move to, not yet proven to be its own. */
    volatile Probe probe;
    volatile long lastCheck;
    volatile boolean consentLost;
    /** Out of the room: nothing may bring it back into the address map. */
    volatile boolean removed;
    volatile DtlsServer dtls;
    final List<byte[]> early = new ArrayList<>();
    volatile SrtpSession in;
    volatile SrtpSession out;
    /** The video packets sent to this browser, as sent, by SSRC: a NACK is answered from here. */
    final Map<Long, PacketCache> sent = new ConcurrentHashMap<>();
    /** This browser's receive estimates (REMB) by media SSRC: {bitsPerSecond, atMillis}. */
    final Map<Long, long[]> estimates = new ConcurrentHashMap<>();
    final Map<Long, Long> lastKeyframeRequest = new ConcurrentHashMap<>();

    Participant(Room room, String user, boolean video, String transport, List<String> videoCodecs, long now) {
        this.room = room;
        this.user = user;
        this.video = video;
        this.transport = transport;
        this.videoCodecs = videoCodecs;
        this.joinedAt = now;
        this.audioStream = user + "/audio";
        this.videoStream = user + "/video";
        this.lastCheck = now;
    }

    boolean ready() {
        return out != null && address != null;
    }

    /** The name of this member's stream of a kind, as receivers list it in {@link #receiving}. */
    String stream(Codecs.Kind kind) {
        return kind == Codecs.Kind.AUDIO ? audioStream : videoStream;
    }

    long ssrc(Codecs.Kind kind) {
        return kind == Codecs.Kind.AUDIO ? audioSsrc : videoSsrc;
    }

    /** The offer's m-lines, in slot order. */
    List<SdpOffer.Section> sections() {
        List<SdpOffer.Section> sections = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            if (s.owner == null) {
                sections.add(SdpOffer.Section.receive(s.kind));
            } else if (s.active && s.ssrc != 0) {
                sections.add(new SdpOffer.Section(s.kind, SdpOffer.Direction.SENDONLY, s.ssrc, s.owner, s.owner + "-" + s.kind.sdp));
            } else {
                sections.add(new SdpOffer.Section(s.kind, SdpOffer.Direction.INACTIVE, 0, null, null));
            }
        }
        return sections;
    }

    Slot slotOf(String owner, Codecs.Kind kind) {
        for (Slot s : slots) {
            if (owner.equals(s.owner) && s.kind == kind) {
                return s;
            }
        }
        return null;
    }
}
