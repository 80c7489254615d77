package org.opencalling.bench.sfu;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opencalling.bench.Args;
import org.opencalling.testsupport.Resp;
import org.opencalling.bench.relay.RelayLoad;
import org.opencalling.stun.TurnCredentials;
import org.opencalling.testsupport.Chromium;
import org.opencalling.testsupport.RedisServerProcess;

/**
 * What the SFU costs the relay: headless Chromium members (fake 640x480 camera at 30 fps, fake
 * microphone) in rooms of 2, 4, 8…, driven through Redis exactly as signaling drives a relay
 * node (commands in {@code trtc:sfu:cmd:{node}}, offers from {@code trtc:sfu:out}). Measured
 * over a window after a warm-up: the relay process's CPU (utime+stime from /proc, as % of one
 * core), the media the browsers received (inbound RTP bytes, in Mbit/s), and so the CPU per
 * delivered Mbit/s and per forwarded stream.
 *
 * <p>Reference in the same run: one relay-only 1:1 video call (the same camera) through coturn's
 * {@code turnserver}, then through our relay's TURN: CPU per Mbit/s delivered by a TURN relay.
 * (Relayed media crosses a TURN relay twice, once per allocation; the SFU receives each stream
 * once and sends it once per receiver.) Everything, browsers included, shares this machine's
 * cores, so the absolute numbers are a floor of what a dedicated relay core does.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.opencalling.bench.sfu.SfuLoad --members 2,4 --rooms 1 --seconds 20</pre>
 * Run from the repository root after {@code ./mvnw package -DskipTests}.
 */
public final class SfuLoad {
    record Result(String name, double cpuPercent, double idlePercent, double mbps, int streams) {
        /** CPU above the relay's idle cost (timers, metrics, heartbeats), per delivered Mbit/s. */
        double cpuPerMbps() {
            return mbps == 0 ? Double.NaN : Math.max(0, cpuPercent - idlePercent) / mbps;
        }
    }

    private static final Map<Long, Double> IDLE = new java.util.HashMap<>();

    public static void main(String[] argv) throws Exception {
        Map<String, String> o = Args.parse(argv);
        List<Integer> sizes = new ArrayList<>();
        for (String n : o.getOrDefault("members", "2,4").split(",")) {
            sizes.add(Integer.parseInt(n.trim()));
        }
        int rooms = Integer.parseInt(o.getOrDefault("rooms", "1"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "20"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "10"));
        String sfuHtml = Files.readString(Path.of("media-relay/src/test/resources/webrtc/sfu-call.html"));
        String turnHtml = Files.readString(Path.of("media-relay/src/test/resources/webrtc/relay-call.html"));
        Path work = Files.createTempDirectory("sfu-load");
        List<Result> results = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort(); Resp resp = new Resp(redis.port());
             Chromium chromium = Chromium.launch(List.of("--autoplay-policy=no-user-gesture-required"))) {
            try (RelayLoad.Relay coturn = RelayLoad.coturn(work)) {
                IDLE.put(coturn.pid(), idle(coturn.pid(), seconds));
                results.add(turnCall(chromium, turnHtml, coturn, warmup, seconds));
            }
            try (RelayLoad.Relay ours = RelayLoad.ours(work, null, null, Map.of("REDIS_URL",
                    "redis://127.0.0.1:" + redis.port(), "POD_NAME", "bench-node"))) {
                Thread.sleep(5000); // past start-up (the JIT, the first heartbeats)
                IDLE.put(ours.pid(), idle(ours.pid(), seconds));
                results.add(turnCall(chromium, turnHtml, ours, warmup, seconds));
                for (int n : sizes) {
                    results.add(sfuRooms(chromium, sfuHtml, resp, ours, n, rooms, warmup, seconds));
                }
            }
        }
        double reference = results.get(0).cpuPerMbps();
        System.out.printf("%n%-44s %11s %9s %10s %8s %15s %10s%n", "scenario", "relay CPU %", "idle %", "Mbit/s in", "streams",
                "(CPU-idle)/Mbps", "vs coturn");
        for (Result r : results) {
            System.out.printf("%-44s %11.1f %9.1f %10.2f %8d %15.3f %10.2f%n", r.name(), r.cpuPercent(), r.idlePercent(), r.mbps(),
                    r.streams(), r.cpuPerMbps(), r.cpuPerMbps() / reference);
        }
    }

    /** A relay-only 1:1 video call through a TURN relay. */
    static Result turnCall(Chromium chromium, String html, RelayLoad.Relay relay, int warmup, int seconds) throws Exception {
        TurnCredentials credentials = new TurnCredentials(RelayLoad.SECRET);
        long now = System.currentTimeMillis() / 1000;
        List<BrowserContext> contexts = new ArrayList<>();
        try {
            Page a = page(chromium, html, contexts);
            Page b = page(chromium, html, contexts);
            a.evaluate("s => start(s)", iceServers(credentials.mint(1_400_000_000L, "alice", 3600, now), relay.port()));
            b.evaluate("s => start(s)", iceServers(credentials.mint(1_400_000_000L, "bob", 3600, now), relay.port()));
            String answer = (String) b.evaluate("sdp => answer(sdp)", a.evaluate("() => offer()"));
            a.evaluate("sdp => accept(sdp)", answer);
            a.evaluate("() => decoded(30, 30000)");
            b.evaluate("() => decoded(30, 30000)");
            return measure("1:1 relay-only via " + relay.name(), List.of(a, b), relay.pid(), 4, warmup, seconds);
        } finally {
            contexts.forEach(BrowserContext::close);
        }
    }

    /** Rooms of n members each through the SFU, joined as signaling would through Redis. */
    static Result sfuRooms(Chromium chromium, String html, Resp redis, RelayLoad.Relay relay, int n, int rooms,
                           int warmup, int seconds) throws Exception {
        List<BrowserContext> contexts = new ArrayList<>();
        List<Page> pages = new ArrayList<>();
        try {
            for (int r = 0; r < rooms; r++) {
                String room = "bench-" + n + "-" + r;
                java.util.Map<String, Page> members = new java.util.HashMap<>();
                for (int i = 0; i < n; i++) {
                    String user = "u" + i;
                    Page p = page(chromium, html, contexts);
                    p.evaluate("() => start(true, 640, 480, 30)");
                    members.put(user, p);
                    pages.add(p);
                    command(redis, "{\"op\":\"join\",\"room\":\"" + room + "\",\"app\":1,\"user\":\"" + user + "\",\"video\":true}");
                    pump(redis, room, members);
                }
                for (Map.Entry<String, Page> m : members.entrySet()) {
                    for (String other : members.keySet()) {
                        if (!other.equals(m.getKey())) {
                            awaitFrames(m.getValue(), other, 30);
                        }
                    }
                }
            }
            return measure(rooms + " room(s) of " + n + " via the SFU", pages, relay.pid(), rooms * n * (n - 1) * 2, warmup, seconds);
        } finally {
            contexts.forEach(BrowserContext::close);
            for (int r = 0; r < rooms; r++) {
                command(redis, "{\"op\":\"end\",\"room\":\"bench-" + n + "-" + r + "\",\"app\":1}");
            }
        }
    }

    /** Carries the SFU's offers to the pages and their answers back until none is left. */
    static void pump(Resp redis, String room, Map<String, Page> members) throws Exception {
        while (true) {
            Object item = redis.call("BLPOP", "trtc:sfu:out", "3");
            if (!(item instanceof List<?> kv) || kv.size() < 2) {
                return; // nothing more within 3 s
            }
            JsonObject m = JsonParser.parseString(String.valueOf(kv.get(1))).getAsJsonObject();
            if (!m.get("op").getAsString().equals("offer") || !room.equals(m.get("room").getAsString())) {
                continue;
            }
            String user = m.get("user").getAsString();
            String answer = (String) members.get(user).evaluate("sdp => onOffer(sdp)", m.get("sdp").getAsString());
            JsonObject a = new JsonObject();
            a.addProperty("op", "answer");
            a.addProperty("room", room);
            a.addProperty("app", 1);
            a.addProperty("user", user);
            a.addProperty("sdp", answer);
            command(redis, a.toString());
        }
    }

    static void command(Resp redis, String json) throws Exception {
        redis.call("RPUSH", "trtc:sfu:cmd:bench-node", json);
    }

    static void awaitFrames(Page page, String from, long n) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
            Object frames = page.evaluate("async u => { const v = (await received())[u + '-video']; return v ? v.frames : 0; }", from);
            if (((Number) frames).longValue() >= n) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no video from " + from);
    }

    /** The relay's CPU with nothing to relay, as % of one core, over the same window. */
    static double idle(long pid, int seconds) throws Exception {
        long cpu0 = RelayLoad.cpuTicks(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        return 100.0 * (RelayLoad.cpuTicks(pid) - cpu0) / 100.0 / ((System.nanoTime() - t0) / 1e9);
    }

    static Result measure(String name, List<Page> pages, long pid, int streams, int warmup, int seconds) throws Exception {
        double idle = IDLE.getOrDefault(pid, 0.0);
        Thread.sleep(warmup * 1000L); // REMB and the browsers' bandwidth estimates ramp up
        long bytes0 = bytesIn(pages);
        long cpu0 = RelayLoad.cpuTicks(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu1 = RelayLoad.cpuTicks(pid);
        long bytes1 = bytesIn(pages);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpuPercent = 100.0 * (cpu1 - cpu0) / 100.0 / elapsed;
        double mbps = (bytes1 - bytes0) * 8 / elapsed / 1e6;
        System.out.printf("%s: relay CPU %.1f%% of one core, %.2f Mbit/s received by the browsers, %d streams%n",
                name, cpuPercent, mbps, streams);
        return new Result(name, cpuPercent, idle, mbps, streams);
    }

    static long bytesIn(List<Page> pages) {
        long n = 0;
        for (Page p : pages) {
            n += ((Number) p.evaluate("() => bytesIn()")).longValue();
        }
        return n;
    }

    static Page page(Chromium chromium, String html, List<BrowserContext> contexts) {
        BrowserContext context = chromium.browser().newContext();
        contexts.add(context);
        context.route("http://localhost/**", r -> r.fulfill(new Route.FulfillOptions()
                .setStatus(200).setContentType("text/html").setBody(html)));
        Page p = context.newPage();
        p.navigate("http://localhost/member.html");
        return p;
    }

    static List<Map<String, Object>> iceServers(TurnCredentials.Credential c, int port) {
        return List.of(Map.of("urls", List.of("turn:127.0.0.1:" + port + "?transport=udp"),
                "username", c.username(), "credential", c.password()));
    }
}
