package org.opencalling.bench.web;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.opencalling.testsupport.Chromium;

/**
 * Call setup time in the browser, from {@code call()} to the first remote video frame decoded on
 * the caller's side, over N calls between two headless Chromium pages (fake camera) that use the
 * SDK; the callee accepts as soon as it is invited. Also the SDK's size, raw and gzipped. Runs
 * against a cluster already started with {@code ./run-local}:
 * <pre>java -cp bench/target/benchmarks.jar org.opencalling.bench.web.CallSetupTime
 *     [--base http://localhost:8080] [--calls 10] [--relay true]</pre>
 * (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 in the environment: Playwright must not download browsers.)
 */
public final class CallSetupTime {
    private CallSetupTime() {
    }

    static final String PAGE = """
            <!doctype html><html><body><div id="remote"></div><script type="module">
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
            // From call() to the first decoded remote video frame, in ms.
            window.measure = async (callee) => {
              const t0 = performance.now();
              await window.calling.call({ userID: callee, type: TRTCCalling.CALL_TYPE.VIDEO_CALL, timeout: 20 });
              for (;;) {
                const p = window.calling._peers.get(callee);
                if (p) {
                  let frames = 0;
                  (await p.pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
                  if (frames > 0) return performance.now() - t0;
                }
                if (performance.now() - t0 > 20000) throw new Error('no frame in 20 s');
                await new Promise((r) => setTimeout(r, 5));
              }
            };
            </script></body></html>
            """;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = org.opencalling.bench.Args.parse(args);
        String base = opt.getOrDefault("base", "http://localhost:8080");
        int calls = Integer.parseInt(opt.getOrDefault("calls", "10"));
        boolean relay = Boolean.parseBoolean(opt.getOrDefault("relay", "false"));

        byte[] sdk = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/sdk/trtc-calling.js")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(sdk);
        }
        System.out.printf("SDK: %,d bytes, %,d gzipped%n", sdk.length, gz.size());

        try (Chromium chromium = Chromium.launch()) {
            BrowserContext a = chromium.browser().newContext();
            BrowserContext b = chromium.browser().newContext();
            Page caller = page(a, base);
            Page callee = page(b, base);
            String suffix = Long.toString(System.nanoTime() % 100000);
            caller.evaluate("([u, r]) => window.start(u, r)", List.of("setup-a" + suffix, relay));
            callee.evaluate("([u, r]) => window.start(u, r)", List.of("setup-b" + suffix, relay));
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                double ms = ((Number) caller.evaluate("c => window.measure(c)", "setup-b" + suffix)).doubleValue();
                times.add(ms);
                System.out.printf("call %2d: %.0f ms%n", i + 1, ms);
                int ended = ((Number) callee.evaluate("() => window.ended")).intValue();
                caller.evaluate("() => window.calling.hangup()");
                callee.waitForFunction("n => window.ended > n", ended);
            }
            List<Double> sorted = new ArrayList<>(times);
            Collections.sort(sorted);
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            System.out.printf("call setup (call() to first decoded remote frame)%s over %d calls: median %.0f ms, best %.0f ms, worst %.0f ms%n",
                    relay ? " through the relay only" : "", calls, median, sorted.get(0), sorted.get(sorted.size() - 1));
            a.close();
            b.close();
        }
    }

    static Page page(BrowserContext context, String base) {
        Page p = context.newPage();
        p.navigate(base + "/demo/config.json"); // a document of the web-client's origin (see BrowserIT)
        p.setContent(PAGE);
        p.waitForFunction("() => typeof window.measure === 'function'");
        return p;
    }
}
