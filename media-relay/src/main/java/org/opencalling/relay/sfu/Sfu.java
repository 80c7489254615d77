package org.opencalling.relay.sfu;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.sfu.dtls.DtlsIdentity;
import org.opencalling.relay.sfu.dtls.DtlsServer;
import org.opencalling.relay.sfu.ice.IceLite;
import org.opencalling.relay.sfu.rtp.Rtcp;
import org.opencalling.relay.sfu.rtp.RtpHeader;
import org.opencalling.relay.sfu.sdp.Codecs;
import org.opencalling.relay.sfu.sdp.SdpAnswer;
import org.opencalling.relay.sfu.sdp.SdpOffer;
import org.opencalling.relay.sfu.srtp.SrtpSession;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.StunDecoder;
import org.opencalling.stun.StunMessage;
import org.opencalling.stun.StunTypes;

/**
 * The selective forwarding unit: group calls whose members each send their media once, to this
 * node, which forwards it to the others. It shares the relay's UDP ports with TURN (RFC 7983):
 * ICE checks for its own credentials, DTLS and SRTP come here, everything else goes to TURN.
 *
 * <p>Control (join, answer, leave) produces offers for the members whose SDP changed; the caller
 * carries them to the browsers (through signaling) and brings back their answers. The SFU
 * always offers, so offers never collide; while an offer is out, further changes wait for its
 * answer and are then offered together.
 */
public final class Sfu {
    /** Sends a datagram from one of our UDP ports (the tuple's server port) to a browser. */
    public interface Sender {
        void send(FiveTuple to, byte[] datagram);
    }

    /** The room has {@link #MAX_MEMBERS} members already. */
    public static final class RoomFull extends IllegalArgumentException {
        RoomFull(String message) {
            super(message);
        }
    }

    /** A member's browser cannot send or receive the room's video codec. */
    public static final class CodecMismatch extends IllegalArgumentException {
        CodecMismatch(String message) {
            super(message);
        }
    }

    /** An offer for one member, to be delivered to their browser. */
    public record Offer(String room, String user, String sdp, String transport) {
    }

    /** A member's transport ended on the SFU's side: the browser should join again. */
    public interface GoneListener {
        void gone(String room, String user, String transport);
    }

    /**
     * Settings: the address and UDP ports browsers reach us at (host candidates), the video
     * bitrate the SFU lets senders ramp up to, and how long a member may stay silent (no ICE
     * check) before it is considered gone.
     */
    public record Config(String publicHost, List<Integer> udpPorts, long maxVideoBitsPerSecond, long consentTimeoutMillis) {
    }

    private static final long KEYFRAME_INTERVAL_MILLIS = 300;
    private static final long ESTIMATE_FRESH_MILLIS = 5_000;
    private static final long MIN_VIDEO_BPS = 100_000;

    private final Config config;
    private final DtlsIdentity identity;
    private final Executor dtlsExecutor;
    private final Sender sender;
    private final java.util.function.LongSupplier clock;
    private final StunDecoder decoder = new StunDecoder(1500, 32);
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, Participant> byUfrag = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Participant> byAddress = new ConcurrentHashMap<>();
    /** Our outstanding probes by transaction id (hex): whose, until answered or replaced. */
    private final Map<String, Participant> probing = new ConcurrentHashMap<>();
    private static final long PROBE_INTERVAL_MILLIS = 500;
    private final long sessionId = new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
    private volatile GoneListener onGone = (room, user, transport) -> { };
    private volatile java.util.function.Consumer<List<Offer>> onOffers = offers -> { };
    /** The most members a room takes: each adds two m-lines to every other member's SDP. */
    public static final int MAX_MEMBERS = 16;
    /** The most m-lines one member's SDP grows to (members who left keep theirs) before it starts over. */
    static final int MAX_SLOTS = 4 * MAX_MEMBERS;
    private static final long COMPACT_ASK_INTERVAL_MILLIS = 10_000;
    private static final long ANSWER_TIMEOUT_MILLIS = 15_000;
    private static final int MAX_RESENDS_PER_NACK = 64;
    public final SfuStats stats = new SfuStats();

    public Sfu(Config config, DtlsIdentity identity, Executor dtlsExecutor, Sender sender, java.util.function.LongSupplier clock) {
        this.config = config;
        this.identity = identity;
        this.dtlsExecutor = dtlsExecutor;
        this.sender = sender;
        this.clock = clock;
    }

    /** Called with (room, user) for a member whose browser went silent (no ICE checks) or failed DTLS. */
    public void onGone(GoneListener listener) {
        this.onGone = listener;
    }

    /** Called with offers the SFU makes by itself (an unanswered offer again, a silent member removed). */
    public void onOffers(java.util.function.Consumer<List<Offer>> listener) {
        this.onOffers = listener;
    }

    // ---- control ------------------------------------------------------------------------

    /** A member joins with no codec list (any the room uses will do). */
    public List<Offer> join(String roomId, String userId, boolean video) {
        return join(roomId, userId, video, List.of());
    }

    /**
     * A member joins (again: their old transport is replaced), able to send and receive these
     * video codecs, most preferred first. The first member's preference sets the room's codec; a
     * later member who cannot use it is refused ({@link CodecMismatch}). Returns the offers to deliver.
     */
    public List<Offer> join(String roomId, String userId, boolean video, List<String> videoCodecs) {
        return join(roomId, userId, video, videoCodecs, null);
    }

    /**
     * As above, for the browser's transport of this name (its offers carry it, so a browser can
     * tell an offer for a transport it has replaced; null: unnamed).
     */
    public List<Offer> join(String roomId, String userId, boolean video, List<String> videoCodecs, String transport) {
        Room room = rooms.computeIfAbsent(roomId, Room::new);
        List<Offer> offers = new ArrayList<>();
        synchronized (room) {
            Participant old = room.members.get(userId);
            if (old == null && room.members.size() >= MAX_MEMBERS) {
                throw new RoomFull("the room is full (" + MAX_MEMBERS + " members)");
            }
            int others = room.members.size() - (old == null ? 0 : 1);
            if (others == 0) {
                room.video = Codecs.Video.preferred(videoCodecs); // alone in the room: its choice
            } else if (video && !room.video.supportedBy(videoCodecs)) {
                switchCodec(room, userId, videoCodecs, offers);
            }
            room.members.remove(userId);
            if (old != null) {
                forget(old);
                removeStreamsOf(room, old, offers);
            }
            rooms.putIfAbsent(roomId, room); // a leave may have removed the empty room meanwhile
            Participant p = new Participant(room, userId, video, transport, List.copyOf(videoCodecs), clock.getAsLong());
            p.slots.add(new Participant.Slot(Codecs.Kind.AUDIO, null, 0));
            if (video) {
                p.slots.add(new Participant.Slot(Codecs.Kind.VIDEO, null, 0));
            }
            for (Participant q : room.members.values()) {
                addStreamsOf(p, q);
            }
            room.members.put(userId, p);
            byUfrag.put(p.ice.ufrag(), p);
            room.refresh();
            offers.add(offer(p));
        }
        return offers;
    }

    /**
     * A joiner cannot use the room's video codec: the room moves to the first of the joiner's
     * codecs that every video member can use too, and every member is offered it (browsers switch
     * encoders on renegotiation); if there is none, the joiner is refused. So the first member's
     * preference holds until someone who cannot use it comes, and one browser without H.264
     * (a Firefox without OpenH264, say) never locks anyone out while a codec all share exists.
     */
    private void switchCodec(Room room, String joiner, List<String> videoCodecs, List<Offer> offers) {
        for (String name : videoCodecs) {
            Codecs.Video c = Codecs.Video.named(name);
            if (c != null && room.members.values().stream()
                    .allMatch(q -> q.user.equals(joiner) || !q.video || c.supportedBy(q.videoCodecs))) {
                room.video = c;
                stats.codecSwitches.increment();
                for (Participant q : room.members.values()) {
                    if (!q.user.equals(joiner)) {
                        renegotiate(q, offers);
                    }
                }
                return;
            }
        }
        throw new CodecMismatch("this call's video is " + room.video + ", and no codec this browser can use is one every "
                + "member can use");
    }

    /** A member's browser answered its latest offer. Returns the offers this causes. */
    public List<Offer> answer(String roomId, String userId, String sdp) {
        SdpAnswer answer = SdpAnswer.parse(sdp);
        Room room = rooms.get(roomId);
        if (room == null) {
            throw new IllegalArgumentException("no such room");
        }
        List<Offer> offers = new ArrayList<>();
        List<long[]> keyframes = new ArrayList<>();
        Participant p;
        synchronized (room) {
            p = room.members.get(userId);
            if (p == null || !p.awaitingAnswer) {
                throw new IllegalArgumentException(p == null ? "not in the room" : "no offer awaits an answer");
            }
            if (answer.media().size() != p.offered.size()) {
                throw new IllegalArgumentException("the answer has " + answer.media().size() + " m-lines, the offer "
                        + p.offered.size());
            }
            if (p.remoteFingerprint != null && !p.remoteFingerprint.equals(answer.fingerprint())) {
                throw new IllegalArgumentException("the DTLS fingerprint changed");
            }
            for (int i = 0; i < p.offered.size(); i++) {
                SdpAnswer.Media m = answer.media().get(i);
                if (p.slots.get(i).owner == null && m.sends() && m.ssrc() != 0) {
                    for (Participant q : room.members.values()) {
                        if (q != p && (q.audioSsrc == m.ssrc() || q.videoSsrc == m.ssrc() || q.rtcpSsrc == m.ssrc())) {
                            throw new IllegalArgumentException("SSRC " + m.ssrc() + " is another member's");
                        }
                    }
                }
            }
            p.awaitingAnswer = false;
            p.remoteUfrag = answer.iceUfrag();
            p.remotePwd = answer.icePwd();
            boolean ownChanged = false;
            Set<String> receiving = new HashSet<>();
            for (int i = 0; i < p.offered.size(); i++) {
                Participant.Slot slot = p.slots.get(i);
                SdpAnswer.Media m = answer.media().get(i);
                if (slot.owner == null) {
                    long ssrc = m.sends() ? m.ssrc() : 0;
                    if (ssrc != p.ssrc(slot.kind)) {
                        ownChanged = true;
                        if (slot.kind == Codecs.Kind.AUDIO) {
                            p.audioSsrc = ssrc;
                        } else {
                            p.videoSsrc = ssrc;
                        }
                    }
                } else if (p.offered.get(i) && m.receives() && slot.active) {
                    String stream = slot.owner + "/" + slot.kind.sdp;
                    receiving.add(stream);
                    if (slot.kind == Codecs.Kind.VIDEO && !p.receiving.contains(stream)) {
                        keyframes.add(new long[] {slot.ssrc});
                    }
                }
            }
            p.receiving = Set.copyOf(receiving);
            if (p.remoteFingerprint == null) {
                p.remoteFingerprint = answer.fingerprint();
                synchronized (p.early) {
                    if (!p.early.isEmpty()) {
                        startDtls(p); // the browser is already knocking
                    }
                }
            }
            if (ownChanged) {
                room.refresh();
                for (Participant q : room.members.values()) {
                    if (q != p && addStreamsOf(q, p)) {
                        renegotiate(q, offers);
                    }
                }
            }
            if (p.dirty) {
                p.dirty = false;
                offers.add(offer(p));
            }
        }
        for (long[] k : keyframes) {
            Participant owner = room.senders.get(k[0]);
            if (owner != null) {
                requestKeyframe(owner, k[0], true);
            }
        }
        return offers;
    }

    /** A member leaves. Returns the offers for those who stay (the member's streams go inactive). */
    public List<Offer> leave(String roomId, String userId) {
        Room room = rooms.get(roomId);
        List<Offer> offers = new ArrayList<>();
        if (room == null) {
            return offers;
        }
        synchronized (room) {
            Participant p = room.members.remove(userId);
            if (p == null) {
                return offers;
            }
            forget(p);
            removeStreamsOf(room, p, offers);
            room.refresh();
            if (room.members.isEmpty()) {
                rooms.remove(roomId, room);
            }
        }
        return offers;
    }

    /** The call ended: every member goes. */
    public List<Offer> end(String roomId) {
        Room room = rooms.remove(roomId);
        if (room != null) {
            synchronized (room) {
                for (Participant p : room.members.values()) {
                    forget(p);
                }
                room.members.clear();
                room.refresh();
            }
        }
        return List.of();
    }

    /** Who is in which room now (room id to user ids): whom to tell when this node stops. */
    public Map<String, List<String>> members() {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        for (Room r : rooms.values()) {
            List<String> users = new ArrayList<>();
            for (Participant p : r.snapshot) {
                users.add(p.user);
            }
            m.put(r.id, users);
        }
        return m;
    }

    public boolean hasRoom(String roomId) {
        return rooms.containsKey(roomId);
    }

    /** Rooms and members on this node (for metrics and the load a node reports). */
    public int rooms() {
        return rooms.size();
    }

    public int participants() {
        int n = 0;
        for (Room r : rooms.values()) {
            n += r.snapshot.length;
        }
        return n;
    }

    /** Streams forwarded: for each member, the others' streams it receives. */
    public int streams() {
        int n = 0;
        for (Room r : rooms.values()) {
            for (Participant p : r.snapshot) {
                n += p.receiving.size();
            }
        }
        return n;
    }

    /** A member, for tests in this package. */
    Participant participant(String roomId, String userId) {
        Room room = rooms.get(roomId);
        return room == null ? null : room.members.get(userId);
    }

    /** Where the SFU sends a member's media now (null: nowhere yet), for tests and the admin view. */
    public FiveTuple address(String roomId, String userId) {
        Room room = rooms.get(roomId);
        Participant p = room == null ? null : room.members.get(userId);
        return p == null ? null : p.address;
    }

    /** The SSRCs a member sends with (0: none yet), for tests and the admin view. */
    public long[] ssrcs(String roomId, String userId) {
        Room room = rooms.get(roomId);
        Participant p = room == null ? null : room.members.get(userId);
        return p == null ? null : new long[] {p.audioSsrc, p.videoSsrc};
    }

    private Offer offer(Participant p) {
        List<SdpOffer.Section> sections = p.sections();
        List<Boolean> offered = new ArrayList<>(sections.size());
        for (SdpOffer.Section s : sections) {
            offered.add(s.direction() != SdpOffer.Direction.INACTIVE);
        }
        p.offered = offered;
        p.awaitingAnswer = true;
        p.offeredAt = clock.getAsLong();
        p.version++;
        List<SdpOffer.Candidate> candidates = new ArrayList<>();
        for (int port : config.udpPorts()) {
            candidates.add(new SdpOffer.Candidate(config.publicHost(), port));
        }
        String sdp = SdpOffer.build(sessionId, p.version, p.ice.ufrag(), p.ice.pwd(), identity.fingerprint(), candidates, sections, p.room.video);
        return new Offer(p.room.id, p.user, sdp, p.transport);
    }

    private void renegotiate(Participant q, List<Offer> offers) {
        if (q.slots.size() > MAX_SLOTS) {
            // m-lines are never removed, so a long call with many comers and goers grows every
            // SDP: past this, the member starts over on a fresh transport (the next tick asks it
            // to) whose SDP has only the members present.
            q.compact = true;
            return;
        }
        if (q.awaitingAnswer) {
            q.dirty = true;
        } else {
            offers.add(offer(q));
        }
    }

    /** Gives p slots for sender's streams (or updates their SSRCs); whether anything changed. */
    private static boolean addStreamsOf(Participant p, Participant sender) {
        boolean changed = false;
        for (Codecs.Kind kind : Codecs.Kind.values()) {
            long ssrc = sender.ssrc(kind);
            if (ssrc == 0 || (kind == Codecs.Kind.VIDEO && !p.video)) {
                continue;
            }
            Participant.Slot slot = p.slotOf(sender.user, kind);
            if (slot == null) {
                p.slots.add(new Participant.Slot(kind, sender.user, ssrc));
                changed = true;
            } else if (slot.ssrc != ssrc || !slot.active) {
                slot.ssrc = ssrc;
                slot.active = true;
                changed = true;
            }
        }
        return changed;
    }

    private void removeStreamsOf(Room room, Participant gone, List<Offer> offers) {
        for (Participant q : room.members.values()) {
            boolean changed = false;
            for (Participant.Slot s : q.slots) {
                if (gone.user.equals(s.owner) && s.active) {
                    s.active = false;
                    changed = true;
                }
            }
            if (changed) {
                Set<String> receiving = new HashSet<>(q.receiving);
                receiving.removeIf(x -> x.startsWith(gone.user + "/"));
                q.receiving = Set.copyOf(receiving);
                renegotiate(q, offers);
            }
        }
    }

    /** Media goes to this address from now on. Under p.pathLock. */
    private void select(Participant p, FiveTuple tuple) {
        if (p.removed) {
            return; // left meanwhile
        }
        FiveTuple current = p.address;
        if (current != null) {
            byAddress.remove(current.client(), p);
        }
        p.address = tuple;
        byAddress.put(tuple.client(), p);
    }

    /**
     * Our probe to an address the browser asks to move to; null if we cannot key one yet (no
     * answer: the browser checks again soon) or sent one lately, to whatever address: one per
     * member per 500 ms at most, so forged checks buy no amplification. Under p.pathLock.
     */
    private byte[] startProbe(Participant p, FiveTuple to, long now) {
        String ufrag = p.remoteUfrag;
        String pwd = p.remotePwd;
        Participant.Probe last = p.probe;
        if (p.removed || ufrag == null || pwd == null || (last != null && now - last.sentAt() < PROBE_INTERVAL_MILLIS)) {
            return null;
        }
        cancelProbe(p);
        byte[] id = IceLite.transactionId();
        p.probe = new Participant.Probe(to, id, now);
        probing.put(java.util.HexFormat.of().formatHex(id), p);
        stats.iceProbes.increment();
        return IceLite.probe(p.ice, ufrag, pwd, id);
    }

    /** Under p.pathLock. */
    private void cancelProbe(Participant p) {
        Participant.Probe probe = p.probe;
        if (probe != null) {
            probing.remove(java.util.HexFormat.of().formatHex(probe.transactionId()), p);
            p.probe = null;
        }
    }

    /** A Binding success: the answer to one of our probes (then the member moves there), else TURN's. */
    private List<TurnHandler.Output> probeAnswer(FiveTuple tuple, byte[] b, int off, int len, long now) {
        if (len < StunTypes.HEADER_LENGTH) {
            return null;
        }
        String id = java.util.HexFormat.of().formatHex(b, off + 8, off + StunTypes.HEADER_LENGTH);
        Participant p = probing.get(id);
        if (p == null) {
            return null; // not ours
        }
        StunMessage m = IceLite.decode(decoder, b, off, len);
        synchronized (p.pathLock) {
            Participant.Probe probe = p.probe;
            if (probe == null || !probe.to().equals(tuple)) {
                return null; // answered already, replaced, or from elsewhere than where the probe went
            }
            String pwd = p.remotePwd;
            if (m == null || pwd == null || !IceLite.answersProbe(m, probe.transactionId(), pwd)) {
                stats.iceFailures.increment();
                return List.of();
            }
            cancelProbe(p);
            select(p, tuple);
            stats.iceMoves.increment();
            p.lastCheck = now;
            p.consentLost = false;
        }
        return List.of();
    }

    private void forget(Participant p) {
        synchronized (p.pathLock) {
            p.removed = true;
            cancelProbe(p);
            FiveTuple a = p.address;
            if (a != null) {
                byAddress.remove(a.client(), p);
            }
        }
        byUfrag.remove(p.ice.ufrag(), p);
        DtlsServer d = p.dtls;
        if (d != null) {
            d.close();
        }
    }

    /** Starts the handshake at the browser's first record, once its answer told us whom to expect. Under p.early. */
    private void startDtls(Participant p) {
        if (p.dtls != null || p.removed) {
            return;
        }
        DtlsServer dtls = new DtlsServer(identity, p.remoteFingerprint, bytes -> {
            FiveTuple to = p.address;
            if (to != null) {
                sender.send(to, bytes);
            }
        });
        p.dtls = dtls;
        for (byte[] record : p.early) {
            dtls.offer(record);
        }
        p.early.clear();
        dtls.start(dtlsExecutor).whenComplete((keys, failure) -> {
            if (failure != null) {
                stats.dtlsFailures.increment();
                if (!p.removed) {
                    onGone.gone(p.room.id, p.user, p.transport);
                }
                return;
            }
            p.in = new SrtpSession(keys.profile(), keys.clientKey(), keys.clientSalt());
            p.out = new SrtpSession(keys.profile(), keys.serverKey(), keys.serverSalt());
            // Whatever this browser receives starts with a keyframe.
            for (Participant owner : p.room.snapshot) {
                if (owner != p && owner.videoSsrc != 0 && p.receiving.contains(owner.stream(Codecs.Kind.VIDEO))) {
                    requestKeyframe(owner, owner.videoSsrc, true);
                }
            }
        });
    }

    // ---- packets ------------------------------------------------------------------------

    /**
     * A datagram on a client-facing UDP port: what to answer, or null if it is not the SFU's
     * (TURN's, then). The buffer is reused by the caller: anything kept is copied.
     */
    public List<TurnHandler.Output> fromClient(FiveTuple tuple, byte[] b, int off, int len, long now) {
        switch (Demux.of(b, off, len)) {
            case STUN -> {
                if (len >= 2 && b[off] == 1 && b[off + 1] == 1) {
                    return probeAnswer(tuple, b, off, len, now);
                }
                if (len < 2 || b[off] != 0 || b[off + 1] != 1) {
                    return null; // not a Binding request: TURN's (Send indications, Allocate...), decoded once there
                }
                StunMessage m = IceLite.decode(decoder, b, off, len);
                String ufrag = m == null ? null : IceLite.localUfrag(m);
                Participant p = ufrag == null ? null : byUfrag.get(ufrag);
                if (p == null) {
                    return null; // TURN's (or a stray check: TURN answers plain Bindings)
                }
                IceLite.Check check = IceLite.check(m, p.ice, tuple.client());
                if (check == null) {
                    stats.iceFailures.increment();
                    return List.of();
                }
                stats.iceChecks.increment();
                byte[] probe = null;
                synchronized (p.pathLock) {
                    FiveTuple current = p.address;
                    if (tuple.equals(current)) {
                        if (check.nominated()) {
                            cancelProbe(p); // back on its path: a late answer from one it left must not move it
                        }
                        p.lastCheck = now; // consent (RFC 7675): only the path media goes on counts
                        p.consentLost = false;
                    } else if (current == null && p.out == null) {
                        // The first path: the DTLS handshake, which needs two-way traffic, proves it.
                        select(p, tuple);
                        p.lastCheck = now;
                        p.consentLost = false;
                    } else if (check.nominated() || current == null) {
                        // A move (a new network, a NAT's new port), or a return after consent was
                        // lost. A check's source can be forged by whoever holds the credentials,
                        // the member itself included, to point our media at a victim: move only
                        // once the browser answers our own check from there.
                        probe = startProbe(p, tuple, now);
                    }
                }
                return probe == null ? List.of(new TurnHandler.ToClient(tuple, check.response()))
                        : List.of(new TurnHandler.ToClient(tuple, check.response()), new TurnHandler.ToClient(tuple, probe));
            }
            case DTLS -> {
                Participant p = byAddress.get(tuple.client());
                if (p == null) {
                    stats.unknownSource.increment();
                    return List.of();
                }
                byte[] record = java.util.Arrays.copyOfRange(b, off, off + len);
                stats.dtlsRecords.increment();
                synchronized (p.early) {
                    DtlsServer d = p.dtls;
                    if (d != null) {
                        d.offer(record);
                    } else if (p.early.size() < 16) {
                        p.early.add(record);
                        if (p.remoteFingerprint != null) {
                            startDtls(p);
                        } // else the answer (and the fingerprint to expect) is on its way
                    }
                }
                return List.of();
            }
            case RTP -> {
                Participant p = byAddress.get(tuple.client());
                if (p == null) {
                    stats.unknownSource.increment();
                    return List.of();
                }
                SrtpSession in = p.in;
                if (in == null) {
                    stats.notReady.increment();
                    return List.of();
                }
                stats.packetsIn.increment();
                if (Demux.isRtcp(b, off, len)) {
                    byte[] plain = in.unprotectRtcp(b, off, len);
                    if (plain == null) {
                        stats.srtpFailures.increment();
                    } else {
                        rtcp(p, plain, now);
                    }
                } else {
                    byte[] plain = in.unprotectRtp(b, off, len);
                    if (plain == null) {
                        stats.srtpFailures.increment();
                    } else {
                        forward(p, plain);
                    }
                }
                return List.of();
            }
            default -> {
                return null;
            }
        }
    }

    /** A member's RTP, decrypted (SRTP already checked its header), to every member receiving it. */
    private void forward(Participant from, byte[] plain) {
        Codecs.Kind kind = Codecs.kindOf(RtpHeader.payloadType(plain, 0), from.room.video);
        if (kind == null) {
            stats.notReady.increment();
            return;
        }
        long ssrc = RtpHeader.ssrc(plain, 0);
        if (ssrc != from.ssrc(kind)) {
            stats.notReady.increment(); // not (yet) declared in its answer: nobody was told of it
            return;
        }
        int sequence = RtpHeader.sequence(plain, 0);
        String stream = from.stream(kind);
        for (Participant q : from.room.snapshot) {
            if (q != from && q.receiving.contains(stream)) {
                SrtpSession out = q.out;
                FiveTuple to = q.address;
                if (out != null && to != null) {
                    byte[] protectedPacket = out.protectRtp(plain, 0, plain.length);
                    if (protectedPacket != null) {
                        if (kind == Codecs.Kind.VIDEO) {
                            // Kept as sent: SRTP must not protect an index twice, and a resend is the same packet.
                            q.sent.computeIfAbsent(ssrc, x -> new PacketCache()).put(sequence, protectedPacket);
                        }
                        sender.send(to, protectedPacket);
                        stats.packetsForwarded.increment();
                        stats.bytesForwarded.add(plain.length);
                    }
                }
            }
        }
    }

    private void rtcp(Participant from, byte[] plain, long now) {
        List<Rtcp.Item> items = Rtcp.split(plain, 0, plain.length);
        if (items == null) {
            stats.malformed.increment();
            return;
        }
        Map<Long, Participant> senders = from.room.senders;
        for (Rtcp.Item it : items) {
            if (it.type() == Rtcp.SR && Rtcp.senderSsrc(plain, it) == from.audioSsrc || it.type() == Rtcp.SR
                    && Rtcp.senderSsrc(plain, it) == from.videoSsrc && from.videoSsrc != 0) {
                forwardSenderReport(from, java.util.Arrays.copyOfRange(plain, it.off(), it.off() + it.len()),
                        Rtcp.senderSsrc(plain, it) == from.audioSsrc ? Codecs.Kind.AUDIO : Codecs.Kind.VIDEO);
            } else if (Rtcp.isPli(it)) {
                Participant owner = senders.get(Rtcp.mediaSsrc(plain, it));
                if (owner != null && owner != from && from.receiving.contains(owner.stream(Codecs.Kind.VIDEO))) {
                    requestKeyframe(owner, Rtcp.mediaSsrc(plain, it), false);
                }
            } else if (Rtcp.isFir(it)) {
                for (long target : Rtcp.firTargets(plain, it)) {
                    Participant owner = senders.get(target);
                    if (owner != null && owner != from && from.receiving.contains(owner.stream(Codecs.Kind.VIDEO))) {
                        requestKeyframe(owner, target, false);
                    }
                }
            } else if (Rtcp.isNack(it)) {
                answerNack(from, Rtcp.mediaSsrc(plain, it), Rtcp.nackSequences(plain, it));
            } else if (Rtcp.isRemb(plain, it)) {
                // Chrome's estimate covers everything it receives: each stream gets its share.
                List<Long> ssrcs = Rtcp.rembSsrcs(plain, it);
                long bps = Rtcp.rembBitrate(plain, it) / Math.max(1, ssrcs.size());
                for (long ssrc : ssrcs) {
                    if (senders.containsKey(ssrc)) {
                        from.estimates.put(ssrc, new long[] {bps, now});
                    }
                }
            }
        }
    }

    private void forwardSenderReport(Participant from, byte[] report, Codecs.Kind kind) {
        String stream = from.stream(kind);
        for (Participant q : from.room.snapshot) {
            SrtpSession out = q.out;
            FiveTuple to = q.address;
            if (q != from && out != null && to != null && q.receiving.contains(stream)) {
                byte[] p = out.protectRtcp(report, 0, report.length);
                if (p != null) {
                    sender.send(to, p);
                    stats.rtcpForwarded.increment();
                }
            }
        }
    }

    /** Resends what a receiver lost between us and it; what never reached us is counted as missed. */
    private void answerNack(Participant from, long ssrc, List<Integer> sequences) {
        PacketCache cache = from.sent.get(ssrc);
        FiveTuple to = from.address;
        if (to == null) {
            return;
        }
        int resent = 0;
        for (int seq : new java.util.LinkedHashSet<>(sequences)) {
            if (resent++ >= MAX_RESENDS_PER_NACK) {
                break;
            }
            byte[] packet = cache == null ? null : cache.get(seq);
            if (packet == null) {
                stats.nacksMissed.increment();
            } else {
                sender.send(to, packet);
                stats.nacksAnswered.increment();
            }
        }
    }

    /** Asks a sender for a keyframe (PLI), at most every 300 ms per stream unless forced. */
    void requestKeyframe(Participant owner, long ssrc, boolean force) {
        long now = clock.getAsLong();
        Long last = owner.lastKeyframeRequest.get(ssrc);
        if (!force && last != null && now - last < KEYFRAME_INTERVAL_MILLIS) {
            return;
        }
        SrtpSession out = owner.out;
        FiveTuple to = owner.address;
        if (out == null || to == null) {
            return;
        }
        owner.lastKeyframeRequest.put(ssrc, now);
        byte[] pli = Rtcp.pli(owner.rtcpSsrc, ssrc);
        byte[] p = out.protectRtcp(pli, 0, pli.length);
        if (p != null) {
            sender.send(to, p);
            stats.keyframeRequests.increment();
        }
    }

    /**
     * Once a second: tells each video sender how much it may send (REMB: the lowest fresh
     * estimate of its receivers, at most the configured maximum, so browsers ramp up to it), and
     * reports members whose browsers went silent.
     */
    public void tick() {
        long now = clock.getAsLong();
        List<Offer> offers = new ArrayList<>();
        for (Room room : rooms.values()) {
            for (Participant p : room.snapshot) {
                if (now - p.lastCheck > 2 * config.consentTimeoutMillis()) {
                    offers.addAll(leave(room.id, p.user)); // never came back: it goes
                    continue;
                }
                if (now - p.lastCheck > config.consentTimeoutMillis()) {
                    if (!p.consentLost) {
                        synchronized (p.pathLock) {
                            p.consentLost = true; // no consent: nothing more is sent there (RFC 7675)
                            FiveTuple a = p.address;
                            p.address = null;
                            if (a != null) {
                                byAddress.remove(a.client(), p);
                            }
                        }
                        onGone.gone(room.id, p.user, p.transport);
                    }
                    continue;
                }
                if (p.compact && now - p.compactAskedAt >= COMPACT_ASK_INTERVAL_MILLIS) {
                    p.compactAskedAt = now; // again every 10 s, in case the word was lost on the way
                    onGone.gone(room.id, p.user, p.transport); // join again: a fresh, compact SDP
                    continue;
                }
                synchronized (room) {
                    if (p.awaitingAnswer && now - p.offeredAt > ANSWER_TIMEOUT_MILLIS && room.members.get(p.user) == p) {
                        p.awaitingAnswer = false; // the offer (or its answer) was lost: offer again
                        p.dirty = false;
                        offers.add(offer(p));
                    }
                }
                long video = p.videoSsrc;
                SrtpSession out = p.out;
                FiveTuple to = p.address;
                if (video == 0 || out == null || to == null) {
                    continue;
                }
                long bps = config.maxVideoBitsPerSecond();
                String stream = p.stream(Codecs.Kind.VIDEO);
                for (Participant q : room.snapshot) {
                    long[] e = q.estimates.get(video);
                    if (q != p && e != null && now - e[1] < ESTIMATE_FRESH_MILLIS && q.receiving.contains(stream)) {
                        bps = Math.min(bps, e[0]);
                    }
                }
                byte[] remb = Rtcp.remb(p.rtcpSsrc, Math.max(MIN_VIDEO_BPS, bps), List.of(video));
                byte[] packet = out.protectRtcp(remb, 0, remb.length);
                if (packet != null) {
                    sender.send(to, packet);
                    stats.rembSent.increment();
                }
            }
        }
        if (!offers.isEmpty()) {
            onOffers.accept(offers);
        }
    }

    /** Ends every room (the node stops). */
    public void close() {
        for (Room room : rooms.values()) {
            synchronized (room) {
                for (Participant p : room.members.values()) {
                    forget(p);
                }
                room.members.clear();
                room.refresh();
            }
        }
        rooms.clear();
    }
}
