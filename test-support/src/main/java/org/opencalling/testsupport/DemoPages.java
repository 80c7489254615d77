package org.opencalling.testsupport;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Browser profiles on a running local cluster's demo, each a fresh context (its own storage,
 * its own fake camera), all closed together. A page's console errors are printed, tagged. With
 * the demo's waits and the WebRTC statistics the browser tests read (frames decoded, audio
 * packets, codec); a failed wait is an {@link AssertionError}.
 */
public final class DemoPages implements AutoCloseable {
    private final Chromium chromium;
    private final String base;
    private final List<BrowserContext> contexts = new ArrayList<>();

    public DemoPages(Chromium chromium, String base) {
        this.chromium = chromium;
        this.base = base;
    }

    /** A fresh context, closed with the others. */
    public BrowserContext context(Browser.NewContextOptions options) {
        BrowserContext context = options == null ? chromium.browser().newContext() : chromium.browser().newContext(options);
        contexts.add(context);
        return context;
    }

    /** The demo's page (with a query such as {@code ?relay=1}, or null) in a fresh context. */
    public Page open(String tag, String query) {
        Page page = context(null).newPage();
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                System.out.println("[" + tag + "] " + m.text());
            }
        });
        page.navigate(base + "/" + (query == null ? "" : query));
        return page;
    }

    /** A fresh profile on the demo, logged in as this user. */
    public Page loggedIn(String userId, String query) {
        Page page = open(userId, query);
        page.fill("#userId", userId);
        page.click("#login-btn");
        page.waitForSelector("#screen-home", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE)
                .setTimeout(20_000));
        String who = page.textContent("#who-name");
        if (!userId.equals(who)) {
            throw new AssertionError("logged in as " + who + ", not " + userId);
        }
        return page;
    }

    /**
     * A video call from one demo page to another, answered, until each has decoded {@code frames}
     * frames of the other.
     */
    public static void answeredVideoCall(Page caller, String callerId, Page callee, String calleeId, long frames)
            throws InterruptedException {
        call(caller, calleeId, true);
        visible(callee, "#incoming");
        callee.click("#accept-btn");
        awaitFrames(caller, calleeId, frames);
        awaitFrames(callee, callerId, frames);
    }

    public static void visible(Page page, String selector) {
        page.waitForSelector(selector, new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE)
                .setTimeout(20_000));
    }

    public static void hidden(Page page, String selector) {
        page.waitForSelector(selector, new Page.WaitForSelectorOptions().setState(WaitForSelectorState.HIDDEN)
                .setTimeout(20_000));
    }

    public static void call(Page from, String callees, boolean video) {
        from.click(video ? "label[for=type-video]" : "label[for=type-audio]");
        from.fill("#callee", callees);
        from.click("#call-btn");
    }

    /** Video frames this page decoded from that user (WebRTC stats of the SDK's connection). */
    public static long framesDecoded(Page page, String from) {
        // Peer to peer: the peer connection to that user; through the SFU: that user's track on it.
        Object n = page.evaluate("async (u) => { const c = window.trtcCalling; if (!c) return 0;"
                + " const p = c._peers.get(u); const s = c._sfu;"
                + " const pc = p ? p.pc : (s && s.users.has(u) ? s.pc : null); if (!pc) return 0;"
                + " const r = await pc.getStats(); let n = 0;"
                + " r.forEach(x => { if (x.type === 'inbound-rtp' && x.kind === 'video' && (p || x.trackIdentifier === u + '-video'))"
                + " n += x.framesDecoded || 0; });"
                + " return n; }", from);
        return ((Number) n).longValue();
    }

    /** The codec of the video the page decodes (its SFU transport, or its first peer connection). */
    public static String inboundVideoCodec(Page page) {
        return (String) page.evaluate("async () => { const c = window.trtcCalling;"
                + " const pc = c._sfu ? c._sfu.pc : [...c._peers.values()][0].pc; const r = await pc.getStats(); let m = null;"
                + " r.forEach(x => { if (x.type === 'inbound-rtp' && x.kind === 'video' && x.codecId && r.get(x.codecId))"
                + " m = r.get(x.codecId).mimeType; }); return m; }");
    }

    /** Waits until the page has decoded at least {@code n} frames from that user, then returns the count. */
    public static long awaitFrames(Page page, String from, long n) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        long seen = 0;
        while (System.nanoTime() < until) {
            seen = framesDecoded(page, from);
            if (seen >= n) {
                return seen;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("decoded only " + seen + " frames from " + from);
    }

    /** Audio RTP packets the page has received from that user over the SFU. */
    public static long audioPackets(Page page, String from) {
        return ((Number) page.evaluate("async (u) => { const s = window.trtcCalling._sfu; if (!s) return 0;"
                + " let n = 0; (await s.pc.getStats()).forEach(x => { if (x.type === 'inbound-rtp' && x.kind === 'audio'"
                + " && x.trackIdentifier === u + '-audio') n += x.packetsReceived || 0; }); return n; }", from)).longValue();
    }

    public static void awaitGroupMedia(Map<String, Page> pages) throws InterruptedException {
        for (Map.Entry<String, Page> p : pages.entrySet()) {
            for (String other : pages.keySet()) {
                if (!other.equals(p.getKey())) {
                    awaitFrames(p.getValue(), other, 20);
                    long until = System.nanoTime() + 20_000_000_000L;
                    while (audioPackets(p.getValue(), other) < 50) {
                        if (System.nanoTime() > until) {
                            throw new AssertionError(p.getKey() + " got no audio from " + other);
                        }
                        Thread.sleep(200);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        contexts.forEach(BrowserContext::close);
        contexts.clear();
    }
}
