package org.opencalling.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.sfu.dtls.DtlsIdentity;

/**
 * The SFU's control side without a browser: who is offered what as members join, answer and
 * leave, and the answers it refuses. Answers are written here as a browser would write them.
 */
class SfuRoomsTest {
    static final DtlsIdentity IDENTITY = DtlsIdentity.generate();
    final AtomicLong now = new AtomicLong(1_000_000);
    final List<Sfu.Offer> selfMade = new ArrayList<>();
    final List<String> gone = new ArrayList<>();
    Sfu sfu;
    final java.util.Map<String, Long> ssrcBase = new java.util.HashMap<>();

    @BeforeEach
    void create() {
        sfu = new Sfu(new Sfu.Config("203.0.113.5", List.of(8000, 443), 1_500_000, 30_000), IDENTITY, Runnable::run,
                (to, bytes) -> { }, now::get);
        sfu.onOffers(selfMade::addAll);
        sfu.onGone((room, user, transport) -> gone.add(user));
    }

    /** The browser's answer to an offer: its own m-lines sendonly with its SSRCs, the others recvonly. */
    String answerTo(String user, String offer) {
        return BrowserAnswer.to(offer, ssrcBase.computeIfAbsent(user, u -> 1000L + 10 * ssrcBase.size()));
    }

    /** Answers every offer until nothing is left; returns how many offers each user got. */
    java.util.Map<String, Integer> settle(List<Sfu.Offer> offers) {
        java.util.Map<String, Integer> count = new java.util.TreeMap<>();
        java.util.ArrayDeque<Sfu.Offer> queue = new java.util.ArrayDeque<>(offers);
        while (!queue.isEmpty()) {
            Sfu.Offer o = queue.poll();
            count.merge(o.user(), 1, Integer::sum);
            queue.addAll(sfu.answer(o.room(), o.user(), answerTo(o.user(), o.sdp())));
        }
        return count;
    }

    static long sections(String sdp, String direction) {
        return sdp.lines().filter(l -> l.equals("a=" + direction)).count();
    }

    @Test
    void membersAreOfferedEachOthersStreamsAsTheyJoinAndLeave() {
        settle(sfu.join("r", "ann", true));
        List<Sfu.Offer> bob = sfu.join("r", "bob", true);
        assertEquals(1, bob.size());
        assertEquals(2, sections(bob.get(0).sdp(), "recvonly"), "bob's own audio and video");
        assertEquals(2, sections(bob.get(0).sdp(), "sendonly"), "ann's audio and video, already known");
        assertTrue(bob.get(0).sdp().contains("a=msid:ann ann-video"));
        assertTrue(bob.get(0).sdp().contains("a=ice-lite") && bob.get(0).sdp().contains("a=candidate:2 1 udp 2130706430 203.0.113.5 443 typ host"));
        // bob's answer reveals his SSRCs: ann is offered his streams.
        List<Sfu.Offer> afterBob = sfu.answer("r", "bob", answerTo("bob", bob.get(0).sdp()));
        assertEquals(List.of("ann"), afterBob.stream().map(Sfu.Offer::user).toList());
        assertEquals(2, sections(afterBob.get(0).sdp(), "sendonly"));
        settle(afterBob);
        assertEquals(4, sfu.streams(), "each receives the other's audio and video");

        // carol joins while ann's next offer is still out: ann gets one more offer after answering.
        List<Sfu.Offer> carol = sfu.join("r", "carol", true);
        List<Sfu.Offer> afterCarol = sfu.answer("r", "carol", answerTo("carol", carol.get(0).sdp()));
        assertEquals(List.of("ann", "bob"), afterCarol.stream().map(Sfu.Offer::user).sorted().toList());
        settle(afterCarol);
        assertEquals(12, sfu.streams());

        List<Sfu.Offer> afterLeave = sfu.leave("r", "bob");
        assertEquals(List.of("ann", "carol"), afterLeave.stream().map(Sfu.Offer::user).sorted().toList());
        for (Sfu.Offer o : afterLeave) {
            assertEquals(2, sections(o.sdp(), "inactive"), "bob's m-lines stay, inactive");
        }
        settle(afterLeave);
        assertEquals(4, sfu.streams());
        assertEquals(2, sfu.participants());
        assertEquals(java.util.Map.of("r", List.of("ann", "carol")), java.util.Map.of("r",
                sfu.members().get("r").stream().sorted().toList()), "whom a stopping node tells");
        settle(sfu.leave("r", "ann"));
        sfu.leave("r", "carol");
        assertEquals(0, sfu.rooms(), "an empty room goes");
    }

    @Test
    void audioOnlyMembersGetNoVideoLines() {
        settle(sfu.join("a", "ann", false));
        List<Sfu.Offer> bob = sfu.join("a", "bob", false);
        assertEquals(1, sections(bob.get(0).sdp(), "recvonly"));
        assertEquals(1, sections(bob.get(0).sdp(), "sendonly"));
        assertTrue(!bob.get(0).sdp().contains("m=video"));
    }

    @Test
    void theFirstMembersVideoCodecIsTheRooms() {
        List<Sfu.Offer> ann = sfu.join("h", "ann", true, List.of("AV1", "H264", "VP8"));
        String offer = ann.get(0).sdp();
        assertTrue(offer.contains("m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"), offer);
        assertTrue(offer.contains("a=rtpmap:102 H264/90000\r\n"));
        assertTrue(offer.contains("a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"),
                "Constrained Baseline, packetization-mode 1");
        assertTrue(!offer.contains("VP8"), "one video codec per room");
        settle(ann);
        // A later member's own preference does not change it; every offer in the room says H.264.
        List<Sfu.Offer> bob = sfu.join("h", "bob", true, List.of("VP8", "H264"));
        assertTrue(bob.get(0).sdp().contains("a=rtpmap:102 H264/90000") && !bob.get(0).sdp().contains("VP8"));
        List<Sfu.Offer> afterBob = sfu.answer("h", "bob", answerTo("bob", bob.get(0).sdp()));
        for (Sfu.Offer o : afterBob) {
            assertTrue(o.sdp().contains("a=rtpmap:102 H264/90000") && !o.sdp().contains("VP8"), o.user());
        }
        settle(afterBob);
        // A browser without H.264: the room moves to VP8, which all can use, and everyone is offered it.
        List<Sfu.Offer> cid = sfu.join("h", "cid", true, List.of("VP8"));
        assertEquals(List.of("ann", "bob", "cid"), cid.stream().map(Sfu.Offer::user).sorted().toList());
        for (Sfu.Offer o : cid) {
            assertTrue(o.sdp().contains("a=rtpmap:96 VP8/90000") && !o.sdp().contains("H264"), o.user() + ": " + o.sdp());
        }
        assertEquals(1, sfu.stats.codecSwitches.sum());
        settle(cid);
        // A browser with H.264 only meets a member without it: no codec all share, it is refused;
        // audio-only it may come.
        settle(sfu.join("only", "eve", true, List.of("H264")));
        assertThrows(Sfu.CodecMismatch.class, () -> sfu.join("only", "gil", true, List.of("VP8")));
        assertEquals(1, sfu.members().get("only").size());
        sfu.join("only", "dan", false, List.of("VP8"));
        assertEquals(2, sfu.members().get("only").size());

        // No list (an older SDK), or nothing the SFU has: VP8.
        assertTrue(sfu.join("v", "eve", true).get(0).sdp().contains("a=rtpmap:96 VP8/90000"));
        assertTrue(sfu.join("w", "fay", true, List.of("AV1")).get(0).sdp().contains("a=rtpmap:96 VP8/90000"));
        // Alone in the room, a member rejoining chooses again.
        assertTrue(sfu.join("w", "fay", true, List.of("h264")).get(0).sdp().contains("a=rtpmap:102 H264/90000"));
    }

    @Test
    void answersThatDoNotFitAreRefused() {
        List<Sfu.Offer> ann = sfu.join("r", "ann", true);
        assertThrows(IllegalArgumentException.class, () -> sfu.answer("r", "ann", "v=0\r\n"), "no fingerprint");
        assertThrows(IllegalArgumentException.class, () -> sfu.answer("r", "nobody", answerTo("ann", ann.get(0).sdp())));
        assertThrows(IllegalArgumentException.class, () -> sfu.answer("nowhere", "ann", answerTo("ann", ann.get(0).sdp())));
        String passive = answerTo("ann", ann.get(0).sdp()).replace("a=setup:active", "a=setup:passive");
        assertThrows(IllegalArgumentException.class, () -> sfu.answer("r", "ann", passive), "the browser must be the DTLS client");
        String oneLine = answerTo("ann", ann.get(0).sdp());
        String cut = oneLine.substring(0, oneLine.indexOf("m=video"));
        assertThrows(IllegalArgumentException.class, () -> sfu.answer("r", "ann", cut), "m-lines must match the offer");
        sfu.answer("r", "ann", answerTo("ann", ann.get(0).sdp()));
        assertThrows(IllegalArgumentException.class, () -> sfu.answer("r", "ann", answerTo("ann", ann.get(0).sdp())),
                "no offer awaits an answer");
        // bob claims ann's SSRCs.
        List<Sfu.Offer> bob = sfu.join("r", "bob", true);
        long[] annSsrcs = sfu.ssrcs("r", "ann");
        String stolen = answerTo("bob", bob.get(0).sdp()).replaceFirst("a=ssrc:\\d+", "a=ssrc:" + annSsrcs[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sfu.answer("r", "bob", stolen));
        assertTrue(e.getMessage().contains("another member"), e.getMessage());
    }

    @Test
    void anUnansweredOfferIsMadeAgainAndASilentMemberGoes() {
        settle(sfu.join("r", "ann", true));
        List<Sfu.Offer> bob = sfu.join("r", "bob", true); // never answered
        assertEquals(1, bob.size());
        now.addAndGet(16_000);
        sfu.tick();
        assertEquals(List.of("bob"), selfMade.stream().map(Sfu.Offer::user).toList(), "the lost offer is made again");
        selfMade.clear();
        now.addAndGet(20_000); // 36 s without a check from either
        sfu.tick();
        assertEquals(List.of("ann", "bob"), gone.stream().sorted().toList(), "no consent: both told");
        now.addAndGet(30_000); // 66 s: gone for good
        sfu.tick();
        assertEquals(0, sfu.participants());
        assertEquals(0, sfu.rooms());
    }

    @Test
    void aRoomTakesSixteenMembers() {
        for (int i = 0; i < Sfu.MAX_MEMBERS; i++) {
            sfu.join("big", "u" + i, false);
        }
        assertThrows(IllegalArgumentException.class, () -> sfu.join("big", "one-more", false));
        sfu.join("big", "u3", false); // a member joining again replaces its old transport
        assertEquals(Sfu.MAX_MEMBERS, sfu.participants());
    }

    @Test
    void aMemberWhoseSdpOutgrewTheLimitIsAskedToStartOverAndGetsACompactOne() {
        settle(sfu.join("long", "ann", true));
        int guests = 0;
        while (gone.isEmpty()) {
            String guest = "guest" + guests++;
            settle(sfu.join("long", guest, true));
            settle(sfu.leave("long", guest));
            sfu.tick();
            assertTrue(guests < 40, "ann was never asked to start over");
        }
        assertEquals(List.of("ann"), gone, "asked once, after about " + (Sfu.MAX_SLOTS / 2) + " guests");
        assertEquals(Sfu.MAX_SLOTS / 2, guests);
        sfu.tick();
        assertEquals(List.of("ann"), gone, "not again at once");
        now.addAndGet(10_000);
        sfu.tick();
        assertEquals(List.of("ann", "ann"), gone, "again after 10 s, in case the first word was lost");
        // While asked, ann gets no more offers; her next join has m-lines for those present only.
        settle(sfu.join("long", "zoe", true));
        List<Sfu.Offer> fresh = sfu.join("long", "ann", true);
        assertEquals(4, fresh.get(0).sdp().lines().filter(l -> l.startsWith("m=")).count(), "her own two, zoe's two");
        settle(fresh);
        assertEquals(2 * 2, sfu.streams());
    }
}
