package org.opencalling.bench.soak;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.opencalling.testsupport.Chromium;

/**
 * Real calls in Chromium (fake camera and microphone) through the web client, on a fixed
 * period: a 1v1 video call forced through TURN ({@code iceTransportPolicy: 'relay'}) and a group
 * video call through the SFU. A call works when both pages decode video from the other within
 * 20 s. The pages stay up between rounds (the SDK reconnects through faults) and are made again
 * after a round that failed.
 */
final class BrowserCalls {
    /** A browser call: when, which, whether it decoded on both sides, and how long from placing it that took. */
    record Result(long atMs, String kind, boolean ok, long ms, String error) {
    }

    static final String PAGE = """
            <!doctype html><html><body><script>
            // Every peer connection the SDK makes, to count what it decodes (1v1 and SFU alike).
            window.pcs = [];
            const Native = window.RTCPeerConnection;
            function Counted(...a) { const pc = new Native(...a); window.pcs.push(pc); return pc; }
            Counted.prototype = Native.prototype;
            Object.setPrototypeOf(Counted, Native);
            window.RTCPeerConnection = Counted;
            window.decodedSince = async (from) => {
              let n = 0;
              for (const pc of window.pcs.slice(from)) {
                if (pc.connectionState === 'closed') continue;
                (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; });
              }
              return n;
            };
            // Resolves once the peer connections made since index 'from' decode video; rejects after 'ms'.
            window.awaitDecoded = async (from, ms) => {
              const t0 = performance.now();
              while (await window.decodedSince(from) === 0) {
                if (performance.now() - t0 > ms) throw new Error('no video decoded within ' + ms + ' ms');
                await new Promise((r) => setTimeout(r, 20));
              }
            };
            </script><script type="module">
            import TRTCCalling from '/sdk/trtc-calling.js';
            window.start = async (userID, relay) => {
              const { sdkAppId } = await (await fetch('/demo/config.json')).json();
              const { userSig } = await (await fetch('/v1/usersig', { method: 'POST',
                headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sdkAppId, userId: userID }) })).json();
              const c = new TRTCCalling(relay ? { SDKAppID: sdkAppId, iceTransportPolicy: 'relay' } : { SDKAppID: sdkAppId });
              window.calling = c;
              window.ended = 0;
              c.on(TRTCCalling.EVENT.INVITED, () => c.accept());
              c.on(TRTCCalling.EVENT.CALLING_END, () => { window.ended++; });
              await c.login({ userID, userSig });
            };
            window.place = async (callee, group) => {
              const type = TRTCCalling.CALL_TYPE.VIDEO_CALL;
              if (group) await window.calling.groupCall({ userIDList: [callee], type, groupID: 'soak-browsers' });
              else await window.calling.call({ userID: callee, type, timeout: 20 });
            };
            </script></body></html>
            """;

    private final String base;
    private final long periodMs;
    private final Incidents incidents;
    final List<Result> results = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private Thread thread;

    BrowserCalls(String base, long periodMs, Incidents incidents) {
        this.base = base;
        this.periodMs = periodMs;
        this.incidents = incidents;
    }

    void start(long firstAfterMs) {
        thread = new Thread(() -> loop(firstAfterMs), "browser-calls");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(90_000);
    }

    private void loop(long firstAfterMs) {
        VirtualUser.sleep(firstAfterMs);
        try (Chromium chromium = Chromium.launch()) {
            Pair relay = null;
            Pair sfu = null;
            for (int round = 0; running; round++) {
                long next = System.currentTimeMillis() + periodMs;
                relay = round(chromium, relay, "relay", round);
                sfu = round(chromium, sfu, "sfu", round);
                while (running && System.currentTimeMillis() < next) {
                    VirtualUser.sleep(200);
                }
            }
            close(relay);
            close(sfu);
        } catch (RuntimeException e) {
            incidents.trouble("browser.broken", e.toString());
        }
    }

    /** Two pages logged in as a pair of users. */
    private record Pair(BrowserContext a, BrowserContext b, Page caller, Page callee, String calleeId) {
    }

    private Pair round(Chromium chromium, Pair pair, String kind, int round) {
        long t0 = System.currentTimeMillis();
        try {
            if (pair == null) {
                pair = open(chromium, kind, round);
            }
            int fromA = ((Number) pair.caller.evaluate("() => window.pcs.length")).intValue();
            int fromB = ((Number) pair.callee.evaluate("() => window.pcs.length")).intValue();
            int ended = ((Number) pair.callee.evaluate("() => window.ended")).intValue();
            pair.caller.evaluate("([c, g]) => window.place(c, g)", List.of(pair.calleeId, kind.equals("sfu")));
            // (ms below: from placing the call to video decoded on both sides)
            long placed = System.currentTimeMillis();
            pair.caller.evaluate("n => window.awaitDecoded(n, 20000)", fromA);
            pair.callee.evaluate("n => window.awaitDecoded(n, 20000)", fromB);
            long ms = System.currentTimeMillis() - placed;
            pair.caller.evaluate("() => window.calling.hangup()");
            pair.callee.waitForFunction("n => window.ended > n", ended, new Page.WaitForFunctionOptions().setTimeout(10_000));
            results.add(new Result(t0, kind, true, ms, null));
            incidents.count("browser." + kind + "-ok");
            return pair;
        } catch (RuntimeException e) {
            String text = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
            String error = text.substring(0, Math.min(300, text.length()));
            results.add(new Result(t0, kind, false, System.currentTimeMillis() - t0, error));
            incidents.trouble("browser." + kind + "-failed", error);
            close(pair);
            return null;
        }
    }

    private Pair open(Chromium chromium, String kind, int round) {
        BrowserContext a = chromium.browser().newContext();
        BrowserContext b = chromium.browser().newContext();
        Page caller = page(a);
        Page callee = page(b);
        String suffix = kind + round;
        boolean relay = kind.equals("relay");
        caller.evaluate("([u, r]) => window.start(u, r)", List.of("bra" + suffix, relay));
        callee.evaluate("([u, r]) => window.start(u, r)", List.of("brb" + suffix, relay));
        return new Pair(a, b, caller, callee, "brb" + suffix);
    }

    private Page page(BrowserContext context) {
        Page p = context.newPage();
        p.navigate(base + "/demo/config.json"); // a document of the web client's origin (see BrowserIT)
        p.setContent(PAGE);
        p.waitForFunction("() => typeof window.place === 'function'");
        return p;
    }

    private static void close(Pair pair) {
        if (pair == null) {
            return;
        }
        for (Page p : List.of(pair.caller, pair.callee)) {
            try {
                p.evaluate("() => window.calling && window.calling.logout()"); // frees its TURN allocations and session
            } catch (RuntimeException e) {
                // a page that failed may not answer: closing it is all that is left
            }
        }
        for (BrowserContext c : new ArrayList<>(List.of(pair.a, pair.b))) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already gone
            }
        }
    }
}
