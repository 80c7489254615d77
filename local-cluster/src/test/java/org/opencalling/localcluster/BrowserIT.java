package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opencalling.testsupport.DemoPages.answeredVideoCall;
import static org.opencalling.testsupport.DemoPages.awaitFrames;
import static org.opencalling.testsupport.DemoPages.awaitGroupMedia;
import static org.opencalling.testsupport.DemoPages.audioPackets;
import static org.opencalling.testsupport.DemoPages.call;
import static org.opencalling.testsupport.DemoPages.framesDecoded;
import static org.opencalling.testsupport.DemoPages.hidden;
import static org.opencalling.testsupport.DemoPages.inboundVideoCodec;
import static org.opencalling.testsupport.DemoPages.visible;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.DemoPages;

/**
 * In real headless Chromium (fake camera and microphone) against the whole local cluster that
 * {@code ./run-local} starts: the demo as a user sees it (calls between pages, every way a call
 * can fail, single login, a group call, the same call through the TURN relay only, a phone-sized
 * screen), and the SDK alone from a page that uses only the seed's API and events. Screenshots
 * of the main screens go to {@code target/screenshots/}.
 */
class BrowserIT {
    static LocalCluster cluster;
    static String base;
    static int offset;
    static Chromium chromium;
    static final Path SHOTS = Path.of("target/screenshots");
    DemoPages demo;

    @BeforeAll
    static void startCluster() throws Exception {
        BrowserCluster shared = BrowserCluster.get(); // FirefoxIT uses it next, then stops it
        cluster = shared.cluster;
        offset = shared.offset;
        base = shared.base();
        chromium = Chromium.launch();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void closeBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void pages() {
        demo = new DemoPages(chromium, base);
    }

    @AfterEach
    void closePages() {
        demo.close();
    }

    /** A fresh browser profile on the demo, logged in as this user. */
    Page loggedIn(String userId, String query) {
        return demo.loggedIn(userId, query);
    }

    /** Waits until the page's notice says this (an earlier notice may still be showing). */
    static void expectNotice(Page page, String text) {
        try {
            page.waitForFunction("t => { const n = document.getElementById('notice');"
                    + " return !n.hidden && n.textContent.includes(t); }", text,
                    new Page.WaitForFunctionOptions().setTimeout(20_000));
        } catch (com.microsoft.playwright.PlaywrightException e) {
            throw new AssertionError("no notice saying '" + text + "'; it says: " + page.textContent("#notice"), e);
        }
    }

    void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")));
    }

    @Test
    void twoUsersMakeAVideoCallThroughTheDemo() throws Exception {
        Page login = demo.open("browser", null);
        visible(login, "#screen-login");
        shot(login, "1-login");
        Page alice = loggedIn("alice", null);
        Page bob = loggedIn("bob", null);
        shot(alice, "2-home");

        call(alice, "bob", true);
        visible(alice, "#screen-calling");
        visible(bob, "#incoming");
        assertTrue(bob.textContent("#incoming-title").contains("alice"), bob.textContent("#incoming-title"));
        assertTrue(bob.textContent("#incoming-sub").contains("Video call"));
        shot(bob, "3-ringing");
        shot(alice, "3-calling");
        bob.click("#accept-btn");

        visible(alice, "#screen-call");
        visible(bob, "#screen-call");
        long aliceFrames = awaitFrames(alice, "bob", 30);
        long bobFrames = awaitFrames(bob, "alice", 30);
        Thread.sleep(1000);
        assertTrue(framesDecoded(alice, "bob") > aliceFrames && framesDecoded(bob, "alice") > bobFrames,
                "decoding goes on on both sides");
        assertTrue(alice.isVisible(".tile[data-user-id=bob] video"), "bob's video is shown in his tile");
        alice.waitForFunction("() => document.getElementById('timer').textContent !== '00:00'");
        bob.waitForFunction("() => document.getElementById('timer').textContent !== '00:00'"); // the callee's clock runs too
        shot(alice, "4-in-call");

        // Camera off on alice's side shows on bob's.
        alice.click("#camera-btn");
        bob.waitForSelector(".tile[data-user-id=alice].camera-off", new Page.WaitForSelectorOptions().setTimeout(10_000));
        alice.click("#camera-btn");
        bob.waitForSelector(".tile[data-user-id=alice]:not(.camera-off)", new Page.WaitForSelectorOptions().setTimeout(10_000));
        // Microphone off shows too.
        bob.click("#mic-btn");
        alice.waitForSelector(".tile[data-user-id=bob].mic-off", new Page.WaitForSelectorOptions().setTimeout(10_000));

        bob.click("#hangup-btn");
        visible(bob, "#screen-home");
        visible(alice, "#screen-home");
        expectNotice(alice, "ended");
    }

    @Test
    void rejectedBusyCancelledAndUnansweredCallsAreShown() throws Exception {
        Page carol = loggedIn("carol", "?timeout=5");
        Page dave = loggedIn("dave", null);
        Page erin = loggedIn("erin", null);

        // Rejected.
        call(carol, "dave", true);
        visible(dave, "#incoming");
        dave.click("#reject-btn");
        expectNotice(carol, "declined");
        visible(carol, "#screen-home");

        // Cancelled by the caller.
        call(carol, "dave", false);
        visible(dave, "#incoming");
        assertTrue(dave.textContent("#incoming-sub").contains("Audio call"));
        visible(carol, "#screen-calling");
        carol.click("#cancel-btn");
        hidden(dave, "#incoming");
        expectNotice(dave, "cancelled");

        // Busy: dave is in a call with erin; carol calls dave.
        call(erin, "dave", true);
        visible(dave, "#incoming");
        dave.click("#accept-btn");
        visible(erin, "#screen-call");
        call(carol, "dave", true);
        expectNotice(carol, "busy");
        visible(carol, "#screen-home");
        erin.click("#hangup-btn");
        visible(dave, "#screen-home");

        // No answer: carol's calls ring for 5 s (?timeout=5).
        call(carol, "erin", true);
        visible(erin, "#incoming");
        expectNotice(carol, "No answer");
        visible(carol, "#screen-home");
        hidden(erin, "#incoming");
        expectNotice(erin, "Missed");
    }

    @Test
    void theSameUserLoggingInElsewhereSignsTheFirstPageOut() {
        Page first = loggedIn("judy", null);
        Page second = loggedIn("judy", null);
        visible(first, "#screen-login");
        expectNotice(first, "logged in somewhere else");
        assertTrue(second.isVisible("#screen-home"));
    }

    @Test
    void threeUsersMakeAGroupCall() throws Exception {
        Page kim = loggedIn("kim", null);
        Page leo = loggedIn("leo", null);
        Page mia = loggedIn("mia", null);
        call(kim, "leo, mia", true);
        visible(leo, "#incoming");
        visible(mia, "#incoming");
        assertTrue(leo.textContent("#incoming-sub").contains("mia"), leo.textContent("#incoming-sub"));
        // Both accept at once: each must still end up connected to the other (whoever is in first offers).
        leo.click("#accept-btn", new Page.ClickOptions().setNoWaitAfter(true));
        mia.click("#accept-btn", new Page.ClickOptions().setNoWaitAfter(true));
        visible(kim, "#screen-call");
        // Through the SFU in media-relay: everyone decodes both others.
        for (Page p : List.of(kim, leo, mia)) {
            for (String other : List.of("kim", "leo", "mia")) {
                String me = p.textContent("#who-name");
                if (!other.equals(me)) {
                    awaitFrames(p, other, 20);
                    p.waitForSelector(".tile[data-user-id=" + other + "] video");
                }
            }
        }
        shot(kim, "5-group-call");
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + (8093 + offset) + "/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher forwarded = java.util.regex.Pattern.compile("(?m)^relay_sfu_packets_forwarded_total(?:\\{[^}]*\\})? ([0-9.E]+)").matcher(metrics);
        assertTrue(forwarded.find() && Double.parseDouble(forwarded.group(1)) > 100, "the media went through the SFU");
        java.util.regex.Matcher participants = java.util.regex.Pattern.compile("(?m)^relay_sfu_participants(?:\\{[^}]*\\})? ([0-9.E]+)").matcher(metrics);
        assertTrue(participants.find() && Double.parseDouble(participants.group(1)) == 3, "three members on the SFU: " + metrics.lines().filter(l -> l.startsWith("relay_sfu")).toList());
        leo.click("#hangup-btn");
        kim.waitForSelector(".tile[data-user-id=leo]", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.DETACHED));
        assertTrue(kim.isVisible("#screen-call"), "two remain: the call goes on");
        mia.click("#hangup-btn");
        visible(kim, "#screen-home");
    }

    @Test
    void aMemberWhoseIceNeverSucceedsBacksOffStopsAndIsTold() throws Exception {
        Page qin = loggedIn("qin", null);
        Page rex = loggedIn("rex", null);
        Page sol = demo.open("sol", null);
        // sol's browser cannot reach the SFU: every SFU offer's candidates point at a closed port.
        sol.evaluate("() => { const set = RTCPeerConnection.prototype.setRemoteDescription;"
                + " window.sfuTransports = new Set(); RTCPeerConnection.prototype.setRemoteDescription = function (d) {"
                + " if (d && d.sdp && d.sdp.includes('a=ice-lite')) { window.sfuTransports.add(this);"
                + " d = { type: d.type, sdp: d.sdp.replace(/(a=candidate:\\S+ 1 udp \\d+ \\S+ )\\d+/g, (m, p) => p + '9') }; }"
                + " return set.call(this, d); }; }");
        sol.fill("#userId", "sol");
        sol.click("#login-btn");
        visible(sol, "#screen-home");
        // The back-off's schedule (10 s to connect, then 1, 2, 4, 8 s) is unit-tested with mock
        // timers; here the real path runs at a fifth of it.
        sol.evaluate("() => { window.trtcCalling._calls.sfuTimeScale = 0.2; }");
        call(qin, "rex, sol", true);
        visible(rex, "#incoming");
        visible(sol, "#incoming");
        rex.click("#accept-btn");
        sol.click("#accept-btn");
        // The SDK backs off and after five transports that never connected tells the app.
        sol.waitForFunction("() => { const n = document.getElementById('notice');"
                + " return !n.hidden && n.textContent.includes('No media connection'); }", null,
                new Page.WaitForFunctionOptions().setTimeout(120_000));
        assertEquals(5, ((Number) sol.evaluate("() => window.sfuTransports.size")).intValue(), "five transports were tried, no more");
        assertTrue(sol.evaluate("() => window.trtcCalling._sfu") == null, "no transport left");
        Thread.sleep(3000); // long enough for a sixth join if the SDK still tried (2 s connect wait + 1.6 s back-off at most)
        assertEquals(5, ((Number) sol.evaluate("() => window.sfuTransports.size")).intValue(), "it stopped");
        // The others' call goes on.
        awaitFrames(qin, "rex", 20);
        awaitFrames(rex, "qin", 20);
        assertTrue(sol.isVisible("#screen-call"), "the call itself goes on for sol too");
        qin.click("#hangup-btn");
        rex.click("#hangup-btn");
        visible(sol, "#screen-home");
    }

    @Test
    void aGroupCallRejoinsTheSfuWhenTheRelayRestarts() throws Exception {
        Page nia = loggedIn("nia", null);
        Page oli = loggedIn("oli", null);
        Page pam = loggedIn("pam", null);
        call(nia, "oli, pam", true);
        visible(oli, "#incoming");
        visible(pam, "#incoming");
        oli.click("#accept-btn");
        pam.click("#accept-btn");
        visible(nia, "#screen-call");
        awaitFrames(nia, "oli", 20);
        awaitFrames(pam, "nia", 20);
        // The relay node goes (its rooms with it) and comes back: every member's transport fails,
        // each SDK joins again, and the call's media comes back through the new process.
        for (Page p : List.of(nia, oli, pam)) {
            p.evaluate("() => { window.oldSfu = window.trtcCalling._sfu; }");
        }
        assertTrue(cluster.restart("media-relay"), "the relay came back");
        for (Page p : List.of(nia, oli, pam)) {
            p.waitForFunction("() => window.trtcCalling._sfu && window.trtcCalling._sfu !== window.oldSfu",
                    null, new Page.WaitForFunctionOptions().setTimeout(30_000));
            for (String other : List.of("nia", "oli", "pam")) {
                if (!other.equals(p.textContent("#who-name"))) {
                    awaitFrames(p, other, 20); // on the new transport
                }
            }
        }
        assertTrue(nia.isVisible("#screen-call"), "the call itself never ended");
        nia.click("#hangup-btn");
        oli.click("#hangup-btn");
        visible(pam, "#screen-home");
    }

    @Test
    void aPeerToPeerCallUsesTheVideoCodecTheAppPrefers() throws Exception {
        Page ivo = loggedIn("ivo", "?codec=h264");
        Page jay = loggedIn("jay", null);
        answeredVideoCall(ivo, "ivo", jay, "jay", 20);
        // The caller's offer lists H.264 first; the callee, with no preference, answers in its order.
        assertEquals("video/H264", inboundVideoCodec(jay));
        assertEquals("video/H264", inboundVideoCodec(ivo));
        ivo.click("#hangup-btn");
        visible(jay, "#screen-home");
    }

    @Test
    void aCallForcedThroughTheRelayUsesRelayCandidatesOnBothSides() throws Exception {
        Page nia = loggedIn("nia", "?relay=1");
        Page oto = loggedIn("oto", "?relay=1");
        answeredVideoCall(nia, "nia", oto, "oto", 30);
        for (Page p : List.of(nia, oto)) {
            String other = p == nia ? "oto" : "nia";
            @SuppressWarnings("unchecked")
            Map<String, Object> pairTypes = (Map<String, Object>) p.evaluate("async (u) => {"
                    + " const r = await window.trtcCalling._peers.get(u).pc.getStats(); let id = null;"
                    + " r.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) id = s.selectedCandidatePairId; });"
                    + " const pair = r.get(id); return { local: r.get(pair.localCandidateId).candidateType,"
                    + " remote: r.get(pair.remoteCandidateId).candidateType }; }", other);
            assertEquals("relay", pairTypes.get("local"), pairTypes.toString());
            assertEquals("relay", pairTypes.get("remote"), pairTypes.toString());
        }
        nia.click("#hangup-btn");
        visible(oto, "#screen-home");
    }

    @Test
    void theDemoFitsAPhoneScreen() {
        BrowserContext phone = demo.context(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(390, 844).setDeviceScaleFactor(2).setIsMobile(true).setHasTouch(true));
        Page page = phone.newPage();
        page.navigate(base + "/");
        visible(page, "#screen-login");
        Object overflow = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth");
        assertEquals(Boolean.FALSE, overflow, "no sideways scrolling at phone width");
        Locator button = page.locator("#login-btn");
        assertTrue(button.boundingBox().width > 300, "the form uses the width");
        shot(page, "6-phone-login");
    }

    static final String SDK_PAGE = """
            <!doctype html><html><head><meta charset="utf-8"></head><body>
            <div id="local" style="width:320px;height:240px"></div><div id="remote" style="width:320px;height:240px"></div>
            <script type="module">
            // Only the seed's API and events (what an app written for trtc-calling-js uses).
            import TRTCCalling from '/sdk/trtc-calling.js';
            window.events = [];
            window.aliasEnds = 0;
            window.start = async (userID, autoAccept) => {
              const { sdkAppId } = await (await fetch('/demo/config.json')).json();
              const res = await fetch('/v1/usersig', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ sdkAppId, userId: userID }) });
              const { userSig } = await res.json();
              const calling = new TRTCCalling({ SDKAppID: sdkAppId });
              window.calling = window.trtcCalling = calling;
              for (const name of Object.keys(TRTCCalling.EVENT)) {
                if (name !== 'CALL_END') calling.on(TRTCCalling.EVENT[name], (payload) => window.events.push({ name, payload }));
              }
              calling.on('onCallEnd', () => { window.aliasEnds++; }); // by its string, as Tencent's API doc shows
              calling.on(TRTCCalling.EVENT.USER_ENTER, ({ userID }) => calling.startRemoteView({ userID, videoViewDomID: 'remote' }));
              if (autoAccept) {
                calling.on(TRTCCalling.EVENT.INVITED, async () => {
                  await calling.accept();
                  await calling.startLocalView({ userID, videoViewDomID: 'local' });
                });
              }
              await calling.login({ userID, userSig });
            };
            </script></body></html>
            """;

    Page sdkPage(String userId, boolean autoAccept) {
        Page page = demo.context(null).newPage();
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type()) || "warning".equals(m.type())) {
                System.out.println("[" + userId + "] " + m.type() + " " + m.text());
            }
        });
        page.onWebSocket(ws -> ws.onSocketError(e -> System.out.println("[" + userId + "] websocket error " + e)));
        // The page is written into a document of the web-client's own origin: a page fulfilled by
        // the test itself would count as a public one, and Chromium's local-network checks would
        // block its WebSocket to localhost.
        page.navigate(base + "/demo/config.json");
        page.setContent(SDK_PAGE);
        page.waitForFunction("() => typeof window.start === 'function'");
        page.evaluate("([u, a]) => window.start(u, a)", List.of(userId, autoAccept));
        return page;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(Page page) {
        return (List<Map<String, Object>>) page.evaluate("() => window.events");
    }

    static List<String> callEvents(Page page) {
        return events(page).stream().map(e -> (String) e.get("name"))
                .filter(n -> !n.equals("USER_VOICE_VOLUME") && !n.equals("USER_VIDEO_AVAILABLE") && !n.equals("USER_AUDIO_AVAILABLE"))
                .toList();
    }

    static Map<String, Object> payload(Page page, String event) {
        return events(page).stream().filter(e -> e.get("name").equals(event)).map(e -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) e.get("payload");
            return p;
        }).findFirst().orElseThrow(() -> new AssertionError("no " + event + " in " + events(page)));
    }

    @Test
    void theSdkAloneGivesTheSeedsEventsInOrderWithTheSeedsPayloads() throws Exception {
        Page amy = sdkPage("sdk-amy", false);
        Page ben = sdkPage("sdk-ben", true);
        Object invite = amy.evaluate("() => window.calling.call({ userID: 'sdk-ben', type: 2, timeout: 20 })");
        awaitFrames(amy, "sdk-ben", 20);
        awaitFrames(ben, "sdk-amy", 20);
        // ben's signaling socket drops: the SDK reconnects by itself and resumes the session,
        // and the call goes on (media never depended on the socket).
        String session = (String) ben.evaluate("() => { window.dropped = window.calling._signaling._ws;"
                + " const id = window.calling._signaling._sessionId; window.dropped.close(4000, 'test drop'); return id; }");
        ben.waitForFunction("() => window.calling._signaling._ws !== window.dropped && window.calling._signaling._ws.readyState === 1"
                + " && window.calling._signaling._reconnects === 0", null, new Page.WaitForFunctionOptions().setTimeout(15_000));
        assertEquals(session, ben.evaluate("() => window.calling._signaling._sessionId"), "the same session, resumed");
        long before = framesDecoded(amy, "sdk-ben");
        awaitFrames(amy, "sdk-ben", before + 10);
        // The socket drops again, and ben hangs up before it is back: the hangup waits and goes out
        // after the resume (else amy would be left in a call with nobody).
        ben.evaluate("() => { window.calling._signaling._ws.close(4000, 'test drop'); return window.calling.hangup(); }");
        amy.waitForFunction("() => window.events.some(e => e.name === 'CALLING_END')");
        ben.waitForFunction("() => window.events.some(e => e.name === 'CALLING_END')");

        // The real package's sequences (docs/sdk.md): the one who hangs up hears CALLING_END too.
        assertEquals(List.of("SDK_READY", "USER_ACCEPT", "USER_ENTER", "USER_LEAVE", "CALLING_END"), callEvents(amy));
        assertEquals(List.of("SDK_READY", "INVITED", "USER_ENTER", "CALLING_END"), callEvents(ben));
        Map<String, Object> invited = payload(ben, "INVITED");
        assertEquals("sdk-amy", invited.get("sponsor"));
        assertEquals(List.of("sdk-ben"), invited.get("userIDList"));
        assertEquals(Boolean.FALSE, invited.get("isFromGroup"));
        assertTrue(invited.get("inviteID") instanceof String s && !s.isEmpty());
        assertTrue(invite instanceof Map<?, ?> m && invited.get("inviteID").equals(m.get("inviteID"))
                        && Integer.valueOf(0).equals(((Number) m.get("code")).intValue()) && "sdk-ben".equals(m.get("userID")),
                "call() resolves with the real result {code: 0, inviteID, userID, ...}: " + invite);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) invited.get("inviteData");
        assertEquals(4, ((Number) data.get("version")).intValue());
        assertEquals(2, ((Number) data.get("callType")).intValue());
        assertTrue(((Number) data.get("roomID")).longValue() > 0);
        assertEquals(Map.of("userID", "sdk-ben"), payload(amy, "USER_ACCEPT"));
        assertEquals(Map.of("userID", "sdk-ben"), payload(amy, "USER_ENTER"));
        assertEquals(Map.of("userID", "sdk-ben"), payload(amy, "USER_LEAVE"));
        assertEquals("sdk-amy", payload(amy, "CALLING_END").get("userID"), "CALLING_END names the call's inviter");
        assertEquals("sdk-amy", payload(ben, "CALLING_END").get("userID"));
        assertEquals(Map.of("userID", "sdk-amy"), payload(ben, "USER_ENTER"));
        assertEquals(Map.of("userID", "sdk-ben", "isVideoAvailable", true), payload(amy, "USER_VIDEO_AVAILABLE"));
        assertEquals(Map.of("userID", "sdk-ben", "isAudioAvailable", true), payload(amy, "USER_AUDIO_AVAILABLE"));
        assertEquals(Map.of("userID", "sdk-amy", "isVideoAvailable", true), payload(ben, "USER_VIDEO_AVAILABLE"));
        assertEquals(1, ((Number) amy.evaluate("() => window.aliasEnds")).intValue(), "CALL_END is CALLING_END's alias");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> volumes = (List<Map<String, Object>>) payload(amy, "USER_VOICE_VOLUME").get("volumeMap");
        assertTrue(volumes.stream().anyMatch(v -> "sdk-amy".equals(v.get("userId"))), volumes.toString());
        assertEquals(0, ben.locator("#remote video").count(), "hanging up tears the remote view down");
        assertEquals(0, ((Number) ben.evaluate("() => window.calling._peers.size")).intValue(), "no peer connection left");
    }

    @Test
    void theSdksGroupCallThroughTheSfuTakesAFifthMemberAndLosesOne() throws Exception {
        Map<String, Page> pages = new java.util.LinkedHashMap<>();
        pages.put("grp-a", sdkPage("grp-a", false));
        for (String u : List.of("grp-b", "grp-c", "grp-d", "grp-e")) {
            pages.put(u, sdkPage(u, true));
        }
        Page a = pages.get("grp-a");
        a.waitForFunction("() => window.calling._signaling.ready");
        a.evaluate("() => window.calling.groupCall({ userIDList: ['grp-b', 'grp-c', 'grp-d'], type: 2, groupID: 'team', timeout: 20 })");
        Page e = pages.remove("grp-e");
        awaitGroupMedia(pages); // four members: each decodes the three others' video and receives their audio
        for (Page p : pages.values()) {
            assertEquals(Boolean.TRUE, p.evaluate("() => !!window.calling._sfu && window.calling._peers.size === 0"),
                    "through the SFU, no peer-to-peer connection");
        }
        // A fifth, invited mid-call, is seen by all and sees all.
        a.evaluate("() => window.calling.groupCall({ userIDList: ['grp-e'], type: 2, groupID: 'team', timeout: 20 })");
        pages.put("grp-e", e);
        awaitGroupMedia(pages);
        // One leaves: the others get USER_LEAVE and the SFU stops sending them the leaver's streams.
        Page c = pages.remove("grp-c");
        c.evaluate("() => window.calling.hangup()");
        for (Map.Entry<String, Page> p : pages.entrySet()) {
            p.getValue().waitForFunction("() => window.events.some(e => e.name === 'USER_LEAVE' && e.payload.userID === 'grp-c')",
                    null, new Page.WaitForFunctionOptions().setTimeout(15_000));
            p.getValue().waitForFunction("() => { const s = window.trtcCalling._sfu; return s && !s.users.has('grp-c')"
                    + " && s.pc.getTransceivers().filter(t => t.receiver.track.id.startsWith('grp-c-'))"
                    + "   .every(t => t.currentDirection === 'inactive'); }",
                    null, new Page.WaitForFunctionOptions().setTimeout(15_000));
        }
        awaitGroupMedia(pages); // the four others go on
        for (Page p : pages.values()) {
            p.evaluate("() => window.calling.hangup()");
        }
    }

    @Test
    void theSdkReportsErrorsAsEventsWithCodes() {
        Page page = sdkPage("sdk-cat", false);
        // A device that refuses: the real package's code (60005), as an ERROR {code, msg} and a rejected promise.
        Object code = page.evaluate("async () => {"
                + " navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no', 'NotAllowedError'));"
                + " try { await window.calling.call({ userID: 'sdk-dog', type: 2 }); return 'resolved'; }"
                + " catch (e) { return e.code; } }");
        assertEquals(60005, ((Number) code).intValue());
        assertEquals(60005, ((Number) payload(page, "ERROR").get("code")).intValue());
        assertTrue(payload(page, "ERROR").get("msg") instanceof String s && s.contains("refused"), "apps read msg");
        // A forged UserSig: our login-refused code, the cluster's reason beside it.
        Object login = page.evaluate("async () => { const { default: T } = await import('/sdk/trtc-calling.js');"
                + " const c = new T({ SDKAppID: 1400000000 }); const seen = [];"
                + " c.on('onError', (e) => seen.push(e.code + ':' + e.reason));"
                + " try { await c.login({ userID: 'sdk-eve', userSig: 'not-a-usersig' }); return 'resolved'; }"
                + " catch (e) { return { thrown: e.code, reason: e.reason, events: seen }; } }");
        assertTrue(login instanceof Map<?, ?> m && Integer.valueOf(61002).equals(((Number) m.get("thrown")).intValue())
                && "malformed".equals(m.get("reason")) && List.of("61002:malformed").equals(m.get("events")), String.valueOf(login));
    }

    @Test
    void theSdkSwitchesDevicesQualityAndCallTypeMidCall() throws Exception {
        Page ada = sdkPage("sdk-ada", false);
        Page bo = sdkPage("sdk-bo", true);
        ada.evaluate("() => window.calling.call({ userID: 'sdk-bo', type: 2, timeout: 20 })");
        awaitFrames(bo, "sdk-ada", 20);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cameras = (List<Map<String, Object>>) ada.evaluate("() => window.calling.getCameras()");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> mics = (List<Map<String, Object>>) ada.evaluate("() => window.calling.getMicrophones()");
        assertTrue(!cameras.isEmpty() && "videoinput".equals(cameras.get(0).get("kind")), cameras.toString());
        assertTrue(!mics.isEmpty() && "audioinput".equals(mics.get(0).get("kind")), mics.toString());
        ada.evaluate("id => window.calling.switchDevice({ deviceType: 'video', deviceId: id })", cameras.get(0).get("deviceId"));
        ada.evaluate("() => window.calling.setVideoQuality('720p')");
        long frames = framesDecoded(bo, "sdk-ada");
        awaitFrames(bo, "sdk-ada", frames + 20); // the new camera's track reaches bo

        ada.evaluate("() => window.calling.switchToAudioCall()");
        bo.waitForFunction("() => window.events.some(e => e.name === 'CALL_TYPE_CHANGED'"
                + " && e.payload.oldCallType === 2 && e.payload.newCallType === 1)");
        assertEquals(0, ((Number) ada.evaluate("() => window.calling._media.stream.getVideoTracks().length")).intValue(),
                "an audio call: the camera is off");
        ada.evaluate("() => window.calling.switchToVideoCall()");
        bo.waitForFunction("() => window.events.some(e => e.name === 'CALL_TYPE_CHANGED' && e.payload.newCallType === 2)");
        frames = framesDecoded(bo, "sdk-ada");
        awaitFrames(bo, "sdk-ada", frames + 20); // video again
        ada.evaluate("() => window.calling.hangup()");
        bo.waitForFunction("() => window.events.some(e => e.name === 'CALLING_END')");
        assertTrue(events(ada).stream().noneMatch(e -> "ERROR".equals(e.get("name"))), events(ada).toString());
    }
}
