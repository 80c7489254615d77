package org.opencalling.relay.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.PeerPolicy;
import org.opencalling.relay.allocation.PortPool;
import org.opencalling.relay.auth.StatelessNonce;
import org.opencalling.relay.net.RelayServer;
import org.opencalling.relay.sfu.dtls.DtlsIdentity;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.testsupport.Chromium;

/**
 * Group calls through the SFU, judged by real Chromium: every member decodes every other
 * member's video and hears their audio, a member who joins mid-call is seen by all, one who
 * leaves stops being received, and an audio-only group call works. The SFU shares its UDP ports
 * with a live TURN relay (RFC 7983). The test plays signaling: it carries the SFU's offers to the
 * pages and their answers back.
 */
class SfuChromiumTest {
    static Chromium chromium;
    static String html;
    RelayServer relay;
    TurnHandler turn;
    final TurnCredentials credentials = new TurnCredentials("sfu-test");
    Sfu sfu;
    ExecutorService dtls;
    ScheduledExecutorService ticker;
    final Map<String, Page> pages = new LinkedHashMap<>();
    /** Per member, how its offers are changed on the way (say, candidates through a NAT). */
    final Map<String, java.util.function.UnaryOperator<String>> rewrite = new LinkedHashMap<>();
    final List<BrowserContext> contexts = new ArrayList<>();

    @BeforeAll
    static void launch() throws Exception {
        try (InputStream in = SfuChromiumTest.class.getResourceAsStream("/webrtc/sfu-call.html")) {
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The pages play every remote audio track without a click: Chrome measures audio energy as it plays out.
        chromium = Chromium.launch(List.of("--autoplay-policy=no-user-gesture-required"));
    }

    @AfterAll
    static void close() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void startRelay() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Allocations allocations = new Allocations(Allocations.Limits.standard(10, 100), new PortPool(49152, 65535));
        turn = new TurnHandler(allocations, PeerPolicy.allowing("127.0.0.0/8"),
                StatelessNonce.withRandomKey(600_000), credentials, "opencalling", loopback);
        relay = new RelayServer(turn, allocations, loopback, List.of(0, 0), List.of(), System::currentTimeMillis, 1);
        dtls = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "sfu-dtls");
            t.setDaemon(true);
            return t;
        });
        sfu = new Sfu(new Sfu.Config("127.0.0.1", relay.udpPorts(), 1_000_000, 30_000), DtlsIdentity.generate(), dtls,
                relay::sendUdp, System::currentTimeMillis);
        relay.attach(sfu);
        turn.sfuPorts(java.util.Set.copyOf(relay.udpPorts()));
        ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(sfu::tick, 1, 1, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopRelay() throws Exception {
        pages.values().forEach(p -> p.evaluate("() => stop()"));
        contexts.forEach(BrowserContext::close);
        ticker.shutdownNow();
        sfu.close();
        relay.close();
        dtls.shutdownNow();
    }

    @Test
    void aFourMemberVideoCallThenAFifthJoinsAndOneLeaves() {
        List<String> members = new ArrayList<>(List.of("alice", "bob", "carol", "dave"));
        for (String m : members) {
            join("room-1", m, true);
        }
        awaitEveryoneReceivesEveryone(members, true);
        assertEquals(1, sfu.rooms());
        assertEquals(4, sfu.participants());
        assertEquals(4 * 3 * 2, sfu.streams(), "each of 4 receives 3 others' audio and video");

        join("room-1", "erin", true);
        members.add("erin");
        awaitEveryoneReceivesEveryone(members, true);
        assertEquals(5 * 4 * 2, sfu.streams());

        deliver(sfu.leave("room-1", "bob"));
        pages.remove("bob").evaluate("() => stop()");
        members.remove("bob");
        for (String m : members) {
            // bob's m-lines go inactive, and his media stops arriving.
            awaitOn(m, "directions", d -> {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> list = (List<Map<String, Object>>) d;
                return list.stream().filter(t -> String.valueOf(t.get("track")).startsWith("bob-"))
                        .allMatch(t -> "inactive".equals(t.get("current")));
            });
        }
        long forwarded = sfu.stats.packetsForwarded.sum();
        awaitEveryoneReceivesEveryone(members, true); // the others still flow
        assertTrue(sfu.stats.packetsForwarded.sum() > forwarded);
        assertEquals(4 * 3 * 2, sfu.streams(), "nobody receives bob any more");
        assertTrue(sfu.stats.keyframeRequests.sum() >= 4, "newcomers asked senders for keyframes");
        assertEquals(0, sfu.stats.srtpFailures.sum(), "no SRTP failures");
        assertEquals(0, sfu.stats.dtlsFailures.sum(), "no DTLS failures");
        System.out.println("SFU 4+1 members: " + statsLine());
    }

    @Test
    void garbageAndStrangersAreDroppedAndCountedWhileACallGoesOn() throws Exception {
        List<String> members = List.of("gus", "hal", "ivy");
        for (String m : members) {
            join("room-3", m, true);
        }
        awaitEveryoneReceivesEveryone(members, true);
        long unknown = sfu.stats.unknownSource.sum();
        java.util.Random random = new java.util.Random(7);
        try (java.net.DatagramSocket stranger = new java.net.DatagramSocket()) {
            for (int port : relay.udpPorts()) {
                java.net.InetSocketAddress to = new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                for (int i = 0; i < 500; i++) {
                    byte[] b = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(b);
                    // DTLS-looking, RTP/RTCP-looking, and ICE checks for a member's ufrag with no valid integrity.
                    b[0] = (byte) (i % 3 == 0 ? 20 + random.nextInt(44) : 128 + random.nextInt(64));
                    stranger.send(new java.net.DatagramPacket(b, b.length, to));
                }
            }
        }
        awaitEveryoneReceivesEveryone(members, true); // the call goes on
        assertTrue(sfu.stats.unknownSource.sum() >= unknown + 900, "strangers' datagrams dropped and counted: "
                + sfu.stats.unknownSource.sum());
        assertEquals(0, sfu.stats.srtpFailures.sum(), "the members' own packets all authenticate");
    }

    @Test
    void membersForcedOntoTurnReachTheSfuThroughTheRelaysOwnAllocations() {
        List<String> members = List.of("kai", "lea", "max");
        for (String m : members) {
            long now = System.currentTimeMillis() / 1000;
            TurnCredentials.Credential c = credentials.mint(1_400_000_000L, m, 3600, now);
            Object servers = List.of(java.util.Map.of("urls", List.of("turn:127.0.0.1:" + relay.udpPorts().get(0) + "?transport=udp"),
                    "username", c.username(), "credential", c.password()));
            join("room-4", m, true, servers);
        }
        awaitEveryoneReceivesEveryone(members, true);
        for (String m : members) {
            assertEquals("relay", pages.get(m).evaluate("() => localCandidateType()"), m + " reaches the SFU through TURN");
        }
        assertTrue(turn.relayed().packetsToPeer() > 100, "the media went through allocations: " + turn.relayed());
    }

    @Test
    void aGroupCallInH264WhenItsFirstMemberPrefersItThenVp8ForAMemberWithoutIt() {
        List<String> members = new ArrayList<>(List.of("hana", "ines", "joel"));
        join("room-5", "hana", true, List.of(), List.of("H264", "VP8"));
        join("room-5", "ines", true, List.of(), List.of("VP8", "H264")); // the room's codec stays
        join("room-5", "joel", true, List.of(), List.of("VP8", "H264"));
        awaitEveryoneReceivesEveryone(members, true);
        for (String m : members) {
            assertEquals(List.of("inbound video/H264", "outbound video/H264"),
                    pages.get(m).evaluate("() => videoCodecs()"), m + " sends and decodes H.264");
        }
        // kurt's browser has no H.264 (say, a Firefox without OpenH264): the room moves to VP8,
        // every browser renegotiates and switches its encoder, and all see all.
        join("room-5", "kurt", true, List.of(), List.of("VP8"));
        members.add("kurt");
        awaitEveryoneReceivesEveryone(members, true);
        for (String m : members) {
            awaitOn(m, "videoCodecs", c -> List.of("inbound video/VP8", "outbound video/VP8").equals(c));
        }
        assertEquals(1, sfu.stats.codecSwitches.sum());
        assertEquals(0, sfu.stats.srtpFailures.sum());
    }

    @Test
    void aMemberBehindANatThatGivesItANewPortIsProbedThereAndFollowed() throws Exception {
        int sfuPort = relay.udpPorts().get(0);
        try (RebindingProxy nat = new RebindingProxy(new java.net.InetSocketAddress("127.0.0.1", sfuPort))) {
            // Nora reaches the SFU only through the NAT: her offers' one candidate is its port.
            rewrite.put("nora", sdp -> throughNat(sdp, nat));
            List<String> members = List.of("nora", "otto");
            join("room-6", "nora", true);
            join("room-6", "otto", true);
            awaitEveryoneReceivesEveryone(members, true);
            assertEquals(nat.upstreamAddress(), sfu.address("room-6", "nora").client());
            long moves = sfu.stats.iceMoves.sum();

            nat.rebind(); // a new port: her media and checks now come from elsewhere
            awaitEveryoneReceivesEveryone(members, true);
            assertEquals(nat.upstreamAddress(), sfu.address("room-6", "nora").client(), "the SFU follows her");
            assertTrue(sfu.stats.iceProbes.sum() >= 1 && sfu.stats.iceMoves.sum() == moves + 1,
                    "moved once her browser answered the probe at the new address: " + statsLine());
        }
    }

    @Test
    void aReceiverOnALossyLinkGetsWhatItAsksForAgainAndKeepsDecoding() throws Exception {
        int sfuPort = relay.udpPorts().get(0);
        try (RebindingProxy lossy = new RebindingProxy(new java.net.InetSocketAddress("127.0.0.1", sfuPort))) {
            rewrite.put("vera", sdp -> throughNat(sdp, lossy));
            List<String> members = List.of("vera", "walt");
            join("room-8", "vera", true);
            join("room-8", "walt", true);
            awaitEveryoneReceivesEveryone(members, true);
            lossy.lossToBrowser = 0.05; // 5 % of the RTP to vera is lost on the way
            long answered = sfu.stats.nacksAnswered.sum();
            long deadline = System.currentTimeMillis() + 30_000;
            while (sfu.stats.nacksAnswered.sum() < answered + 10 && System.currentTimeMillis() < deadline) {
                sleep(250);
            }
            assertTrue(sfu.stats.nacksAnswered.sum() >= answered + 10,
                    "her browser's NACKs were answered from what the SFU had sent: " + statsLine());
            awaitEveryoneReceivesEveryone(members, true); // and she still decodes walt's video
            assertTrue(((Number) received("vera").get("walt-video").get("nacks")).longValue() > 0, "she asked");
        }
    }

    @Test
    void sendersRampUpToTheBitrateTheSfusRembAllowsAndNoFurther() {
        List<String> members = List.of("rita", "sam");
        for (String m : members) {
            join("room-7", m, true, List.of(), List.of(), 640, 480, 30);
        }
        awaitEveryoneReceivesEveryone(members, true);
        // Chrome starts a video sender at about 300 kbit/s and raises its estimate only on
        // feedback: the SFU's REMB (the receivers' own estimates, at most 1 Mbit/s here).
        for (String m : members) {
            long deadline = System.currentTimeMillis() + 30_000;
            double bitrate = 0;
            while (bitrate < 700_000 && System.currentTimeMillis() < deadline) {
                sleep(500);
                bitrate = targetBitrate(m);
                assertTrue(bitrate <= 1_100_000, m + " above the SFU's cap: " + bitrate);
            }
            assertTrue(bitrate >= 700_000, m + "'s sender stayed at " + bitrate + " bit/s");
        }
        assertTrue(sfu.stats.rembSent.sum() > 0, "REMB sent");
    }

    /** The offer with one candidate, the NAT's port, instead of the SFU's. */
    static String throughNat(String sdp, RebindingProxy nat) {
        return sdp.replaceAll("a=candidate:[^\r\n]*\r\n", "").replace("a=end-of-candidates",
                "a=candidate:1 1 udp 2130706431 127.0.0.1 " + nat.port() + " typ host\r\na=end-of-candidates");
    }

    double targetBitrate(String user) {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> sent = (Map<String, Map<String, Object>>) pages.get(user).evaluate("() => sent()");
        Map<String, Object> video = sent.get("video");
        return video == null ? 0 : ((Number) video.get("bitrate")).doubleValue();
    }

    @Test
    void anAudioOnlyGroupCall() {
        List<String> members = List.of("ann", "ben", "cid");
        for (String m : members) {
            join("room-2", m, false);
        }
        awaitEveryoneReceivesEveryone(members, false);
        assertEquals(3 * 2, sfu.streams());
    }

    void join(String room, String user, boolean video) {
        join(room, user, video, List.of());
    }

    void join(String room, String user, boolean video, Object iceServers) {
        join(room, user, video, iceServers, List.of());
    }

    void join(String room, String user, boolean video, Object iceServers, List<String> videoCodecs) {
        join(room, user, video, iceServers, videoCodecs, 320, 240, 15);
    }

    void join(String room, String user, boolean video, Object iceServers, List<String> videoCodecs, int width, int height, int fps) {
        BrowserContext context = chromium.browser().newContext();
        contexts.add(context);
        context.route("http://localhost/**", r -> r.fulfill(new Route.FulfillOptions()
                .setStatus(200).setContentType("text/html").setBody(html)));
        Page page = context.newPage();
        page.navigate("http://localhost/sfu-call.html");
        page.evaluate("([v, servers, w, h, fps]) => start(v, w, h, fps, servers, servers.length ? 'relay' : 'all')",
                List.of(video, iceServers, width, height, fps));
        pages.put(user, page);
        deliver(sfu.join(room, user, video, videoCodecs));
    }

    /** Carries offers to the pages and their answers back, until nothing is left to negotiate. */
    void deliver(List<Sfu.Offer> offers) {
        Deque<Sfu.Offer> queue = new ArrayDeque<>(offers);
        while (!queue.isEmpty()) {
            Sfu.Offer o = queue.poll();
            Page page = pages.get(o.user());
            String answer = (String) page.evaluate("sdp => onOffer(sdp)",
                    rewrite.getOrDefault(o.user(), x -> x).apply(o.sdp()));
            queue.addAll(sfu.answer(o.room(), o.user(), answer));
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> received(String user) {
        return (Map<String, Map<String, Object>>) pages.get(user).evaluate("() => received()");
    }

    void awaitEveryoneReceivesEveryone(List<String> members, boolean video) {
        long deadline = System.currentTimeMillis() + 45_000;
        Map<String, Long> framesAtStart = new LinkedHashMap<>();
        for (String m : members) {
            Map<String, Map<String, Object>> r = received(m);
            for (String other : members) {
                Map<String, Object> v = r.get(other + "-video");
                framesAtStart.put(m + ">" + other, v == null ? 0 : ((Number) v.get("frames")).longValue());
            }
        }
        String missing = "";
        while (System.currentTimeMillis() < deadline) {
            missing = "";
            for (String m : members) {
                Map<String, Map<String, Object>> r = received(m);
                for (String other : members) {
                    if (other.equals(m)) {
                        continue;
                    }
                    Map<String, Object> audio = r.get(other + "-audio");
                    if (audio == null || ((Number) audio.get("packets")).longValue() < 50
                            || ((Number) audio.get("energy")).doubleValue() <= 0) {
                        missing += m + " hears no " + other + " " + audio + "; ";
                    }
                    if (video) {
                        Map<String, Object> v = r.get(other + "-video");
                        long frames = v == null ? 0 : ((Number) v.get("frames")).longValue();
                        if (frames < framesAtStart.get(m + ">" + other) + 30) {
                            missing += m + " decoded " + frames + " frames of " + other + "; ";
                        }
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            sleep(500);
        }
        throw new AssertionError("after 45 s: " + missing + " stats " + statsLine());
    }

    void awaitOn(String user, String function, Predicate<Object> condition) {
        long deadline = System.currentTimeMillis() + 15_000;
        Object value = null;
        while (System.currentTimeMillis() < deadline) {
            value = pages.get(user).evaluate("() => " + function + "()");
            if (condition.test(value)) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError(user + ": " + function + " = " + value);
    }

    String statsLine() {
        SfuStats s = sfu.stats;
        return "in=" + s.packetsIn + " fwd=" + s.packetsForwarded + " srtpFail=" + s.srtpFailures + " dtlsFail=" + s.dtlsFailures
                + " ice=" + s.iceFailures + " probes=" + s.iceProbes + " moves=" + s.iceMoves + " unknown=" + s.unknownSource
                + " notReady=" + s.notReady + " kf=" + s.keyframeRequests + " nacks=" + s.nacksAnswered + "/" + s.nacksMissed;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
