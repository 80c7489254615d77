package org.opencalling.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.DemoPages;

/**
 * {@code ./run-local --replicas 2}: two presence, relay and signaling instances over one Redis, the
 * web client spreading browsers over both. A call in real Chromium goes on through a rolling
 * restart of both signaling instances: each drains its sockets (1012), the SDK reconnects through
 * the web client to the other instance and resumes the session with its call.
 */
class RollingRestartIT {
    static LocalCluster cluster;
    static Chromium chromium;
    static String base;
    static DemoPages demo;

    @BeforeAll
    static void start() throws Exception {
        int offset = LocalClusterIT.freeOffset();
        cluster = new LocalCluster(LocalCluster.findRoot(), new Options(offset, 2, false));
        assertEquals(0, cluster.start(), "the local cluster with two replicas started");
        base = "http://localhost:" + (8080 + offset);
        chromium = Chromium.launch();
        demo = new DemoPages(chromium, base);
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
        if (chromium != null) {
            chromium.close();
        }
        if (cluster != null) {
            cluster.stop();
        }
    }

    static Page loggedIn(String userId) {
        return demo.loggedIn(userId, null);
    }

    @Test
    void aCallGoesOnThroughARollingRestartOfSignaling() throws Exception {
        Page alice = loggedIn("roll-alice");
        Page bob = loggedIn("roll-bob");
        DemoPages.answeredVideoCall(alice, "roll-alice", bob, "roll-bob", 20);

        for (String instance : List.of("signaling-service-1", "signaling-service-2")) {
            assertTrue(cluster.restart(instance), instance + " came back");
            for (Page p : List.of(alice, bob)) {
                // Reconnected (to whichever instance is up) and still in the call.
                try {
                    p.waitForFunction("() => window.trtcCalling._signaling._ws && window.trtcCalling._signaling._ws.readyState === 1"
                            + " && window.trtcCalling._signaling.ready && window.trtcCalling._calls.current !== null",
                            null, new Page.WaitForFunctionOptions().setTimeout(20_000));
                } catch (com.microsoft.playwright.PlaywrightException e) {
                    throw new AssertionError("not back in the call after restarting " + instance + ": " + p.evaluate(
                            "() => JSON.stringify({ ws: window.trtcCalling._signaling._ws && window.trtcCalling._signaling._ws.readyState,"
                            + " ready: window.trtcCalling._signaling.ready, online: window.trtcCalling._signaling.online,"
                            + " call: !!window.trtcCalling._calls.current, reconnects: window.trtcCalling._signaling._reconnects })")
                            + "; notice: " + p.textContent("#notice"), e);
                }
                assertTrue(p.isVisible("#screen-call"), "still in the call after restarting " + instance);
            }
        }
        // Signaling works for the call after the restarts: camera off reaches alice, then the hang-up.
        bob.click("#camera-btn");
        alice.waitForSelector(".tile[data-user-id=roll-bob].camera-off",
                new Page.WaitForSelectorOptions().setTimeout(10_000));
        bob.click("#hangup-btn");
        DemoPages.visible(alice, "#screen-home");
        BrowserIT.expectNotice(alice, "ended");
        // And a new call rings across the restarted instances.
        DemoPages.call(bob, "roll-alice", false);
        DemoPages.visible(alice, "#incoming");
        alice.click("#reject-btn");
        BrowserIT.expectNotice(bob, "declined");
    }
}
