package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.DemoPages;

/**
 * {@code ./run-local --replicas 2 --sfu all}: two relay nodes, each an SFU node in Redis, and
 * 1v1 calls through the SFU too. A 1v1 call's media goes through a relay node, not peer to peer;
 * a group call's node is killed (SIGKILL, no goodbye) and every member's SDK moves to the other
 * node and decodes the others again, while the call itself goes on; then that node is stopped
 * gently (SIGTERM) and the members move back at once.
 */
class SfuFailoverIT {
    static LocalCluster cluster;
    static Chromium chromium;
    static String base;
    static int offset;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    DemoPages demo;

    @BeforeAll
    static void start() throws Exception {
        offset = LocalClusterIT.freeOffset();
        cluster = new LocalCluster(LocalCluster.findRoot(), new Options(offset, 2, "all", false));
        assertEquals(0, cluster.start(), "the local cluster with two relay nodes started");
        base = "http://localhost:" + (8080 + offset);
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (cluster != null) {
            cluster.stop();
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

    Page loggedIn(String userId) {
        return demo.loggedIn(userId, null);
    }

    /** relay_sfu_participants of relay instance k (0 or 1). */
    static double participants(int k) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + (8093 + offset + LocalCluster.REPLICA_STEP * k) + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^relay_sfu_participants(?:\\{[^}]*\\})? ([0-9.E]+)").matcher(metrics);
        assertTrue(m.find(), "relay " + k + " exports relay_sfu_participants");
        return Double.parseDouble(m.group(1));
    }

    /** Waits until the relays hold these numbers of SFU participants. */
    static void awaitParticipants(double first, double second) throws Exception {
        long until = System.nanoTime() + 20_000_000_000L;
        while (participants(0) != first || participants(1) != second) {
            if (System.nanoTime() > until) {
                throw new AssertionError("relay participants " + participants(0) + "/" + participants(1)
                        + ", expected " + first + "/" + second);
            }
            Thread.sleep(200);
        }
    }

    static String node(Page p) {
        return (String) p.evaluate("() => window.trtcCalling._sfu && window.trtcCalling._sfu.node");
    }

    @Test
    void aOneToOneCallGoesThroughTheSfuWhenConfiguredInTheCallersVideoCodec() throws Exception {
        Page ada = demo.loggedIn("ada", "?codec=h264"); // the caller joins first: the room takes H.264
        Page ben = loggedIn("ben");
        DemoPages.answeredVideoCall(ada, "ada", ben, "ben", 20);
        for (Page p : List.of(ada, ben)) {
            assertEquals(0, ((Number) p.evaluate("() => window.trtcCalling._peers.size")).intValue(),
                    "no peer-to-peer connection");
            assertTrue(node(p) != null && node(p).startsWith("relay-local-"), "on an SFU node: " + node(p));
        }
        assertEquals(node(ada), node(ben), "one room, one node");
        for (Page p : List.of(ada, ben)) {
            assertEquals("video/H264", DemoPages.inboundVideoCodec(p), "decodes H.264");
        }
        assertEquals(2, participants(0) + participants(1), "both members on the SFU");
        ada.click("#hangup-btn");
        DemoPages.visible(ben, "#screen-home");
        awaitParticipants(0, 0); // the call ended: its room went
    }

    @Test
    void aGroupCallMovesToTheOtherRelayWhenItsNodeDies() throws Exception {
        Page cy = loggedIn("cy");
        Page di = loggedIn("di");
        Page ed = loggedIn("ed");
        DemoPages.call(cy, "di, ed", true);
        DemoPages.visible(di, "#incoming");
        DemoPages.visible(ed, "#incoming");
        di.click("#accept-btn");
        ed.click("#accept-btn");
        List<Page> all = List.of(cy, di, ed);
        Map<String, Page> members = new LinkedHashMap<>(Map.of("cy", cy, "di", di, "ed", ed));
        DemoPages.awaitGroupMedia(members);
        // An offer or a "gone" for a transport cy has replaced (late, say) leaves the current one alone.
        assertEquals(Boolean.TRUE, cy.evaluate("async () => { const c = window.trtcCalling; const before = c._sfu;"
                + " let offers = 0; const sfu = c._calls.transports.sfu; const handle = sfu._answer; sfu._answer = (...a) => { offers++; return handle.apply(sfu, a); };"
                + " c._calls.onFrame({ type: 'sfu-offer', callId: c._calls.current.callId, transport: 'replaced',"
                + "   sdp: before.pc.remoteDescription.sdp });"
                + " c._calls.onFrame({ type: 'sfu-gone', callId: c._calls.current.callId, transport: 'replaced' });"
                + " c._calls.onFrame({ type: 'sfu-gone', callId: c._calls.current.callId, node: 'relay-local-9' });"
                + " await before.queue; delete sfu._answer;"
                + " return offers === 0 && c._sfu === before && before.pc.connectionState === 'connected'; }"),
                "stale frames ignored");
        String first = node(cy);
        int dying = first.equals("relay-local-1") ? 0 : 1;
        String survivor = dying == 0 ? "relay-local-2" : "relay-local-1";
        assertEquals(3, participants(dying), "the room is on " + first);

        cluster.kill("media-relay-" + (dying + 1));
        long killed = System.nanoTime();
        for (Page p : all) {
            try {
                p.waitForFunction("n => window.trtcCalling._sfu && window.trtcCalling._sfu.node === n", survivor,
                        new Page.WaitForFunctionOptions().setTimeout(45_000));
            } catch (com.microsoft.playwright.PlaywrightException e) {
                throw new AssertionError(p.textContent("#who-name") + " did not move to " + survivor + "; on "
                        + node(p), e);
            }
        }
        long moved = System.nanoTime();
        DemoPages.awaitGroupMedia(members);
        System.out.printf("SFU node killed: all members on %s after %.1f s, decoding all others after %.1f s%n",
                survivor, (moved - killed) / 1e9, (System.nanoTime() - killed) / 1e9);
        assertEquals(3, participants(1 - dying), "the room is on the surviving node");
        for (Page p : all) {
            assertTrue(p.isVisible("#screen-call"), "the call itself never ended");
        }
        assertTrue(cluster.restart("media-relay-" + (dying + 1)), "the dead relay came back");
        assertEquals(0, participants(dying), "the restarted node holds no stale room");
        assertNotEquals(first, node(cy));

        // Now the room's node is stopped the gentle way (SIGTERM, a rolling update): it leaves
        // Redis and tells its members at once, and they move back to the first node.
        long stopping = System.nanoTime();
        cluster.stop("media-relay-" + (2 - dying));
        long stopped = System.nanoTime();
        for (Page p : all) {
            p.waitForFunction("n => window.trtcCalling._sfu && window.trtcCalling._sfu.node === n", first,
                    new Page.WaitForFunctionOptions().setTimeout(30_000));
        }
        DemoPages.awaitGroupMedia(members);
        System.out.printf("SFU node stopped (SIGTERM, %.1f s to exit): all decoding the others on %s after %.1f s%n",
                (stopped - stopping) / 1e9, first, (System.nanoTime() - stopping) / 1e9);
        assertTrue(cluster.start("media-relay-" + (2 - dying)), "the second relay came back");
        cy.click("#hangup-btn");
        di.click("#hangup-btn");
        DemoPages.visible(ed, "#screen-home");
        awaitParticipants(0, 0);
    }
}
