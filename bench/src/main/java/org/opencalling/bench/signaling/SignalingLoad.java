package org.opencalling.bench.signaling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.ServiceProcess;
import org.opencalling.testsupport.ServiceSpec;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;

/**
 * Load on two real signaling-service instances (packaged apps) with real usersig, presence and
 * redis-server, all on this machine, driven over real WebSockets:
 * <ol>
 *   <li>call setups (invite → invited → accept → accepted → hangup) with every caller on one
 *   instance and its callee on the other, open-loop at stepped rates: errors, achieved rate, and
 *   invite delivery latency (invite sent → invitation received by the callee) p50/p99/p999;</li>
 *   <li>the reference, in the same run: ping → pong round trips on the same sockets at the same
 *   rate;</li>
 *   <li>heap per idle logged-in connection with N users spread over both instances (heap used after
 *   a full GC, before and after).</li>
 * </ol>
 * <pre>java -Xmx3g -cp bench/target/benchmarks.jar org.opencalling.bench.signaling.SignalingLoad
 *     [--rates 100,200,400,800] [--seconds 10] [--pairs 200] [--idle 10000] [--warmup 10]
 *     [--service-jvm-opts "-Xlog:gc:file=/tmp/gc-%i.log"]   (%i: the instance's number)</pre>
 */
public final class SignalingLoad {
    static final long APP = 1400000099L;
    static final String SECRET = "bench-secret-not-for-production";
    static final String CLIENT = "signaling:bench-client-secret";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SignalingLoad() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = org.opencalling.bench.Args.parse(args);
        int[] rates = Arrays.stream(opt.getOrDefault("rates", "100,200,400,800").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "10"));
        int pairs = Integer.parseInt(opt.getOrDefault("pairs", "200"));
        int idle = Integer.parseInt(opt.getOrDefault("idle", "10000"));
        for (String module : List.of("usersig-service", "presence-service", "signaling-service")) {
            if (!Files.exists(jar(module))) {
                throw new IllegalStateException("run from the repository root after ./mvnw package -DskipTests: " + jar(module));
            }
        }
        System.out.printf("Machine: %d cores, %s, Java %s; every process (Redis, 4 services, this load generator) on it%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), System.getProperty("java.version"));
        Path logs = Files.createTempDirectory("signaling-bench");
        List<ServiceProcess> started = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort()) {
            int usersig = FreePorts.next();
            int presence = FreePorts.next();
            String apps = APP + ":" + SECRET;
            started.add(start(new ServiceSpec("usersig-service", jar("usersig-service"), usersig, Map.of("TRTC_APPS", apps,
                    "BACKEND_CLIENTS", CLIENT + ":presence:write", "JWT_ALLOW_GENERATED_KEY", "true"), ""), logs));
            String jwks = "http://localhost:" + usersig + "/.well-known/jwks.json";
            started.add(start(new ServiceSpec("presence-service", jar("presence-service"), presence, Map.of(
                    "REDIS_URL", redis.url(), "KAFKA_BOOTSTRAP_SERVERS", "", "JWKS_URL", jwks), ""), logs));
            int[] ports = {FreePorts.next(), FreePorts.next()};
            ServiceProcess[] pods = new ServiceProcess[2];
            for (int i = 0; i < 2; i++) {
                Map<String, String> env = new LinkedHashMap<>();
                env.put("TRTC_APPS", apps);
                env.put("TURN_SECRET", "bench-turn-secret");
                env.put("USERSIG_URL", "http://localhost:" + usersig);
                env.put("PRESENCE_URL", "http://localhost:" + presence);
                env.put("REDIS_URL", redis.url());
                env.put("JWKS_URL", jwks);
                env.put("KAFKA_BOOTSTRAP_SERVERS", "");
                env.put("SIGNALING_CLIENT", CLIENT);
                env.put("POD_NAME", "bench-" + (i + 1));
                if (opt.containsKey("service-jvm-opts")) {
                    env.put("JAVA_TOOL_OPTIONS", opt.get("service-jvm-opts").replace("%i", Integer.toString(i + 1)));
                }
                pods[i] = start(new ServiceSpec("signaling-" + (i + 1), jar("signaling-service"), ports[i], env, ""), logs);
                started.add(pods[i]);
            }
            System.out.println("Logs: " + logs);

            // Callers on instance 1 and callees on instance 2, and the other way round for half the pairs.
            List<Pair> all = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                int a = i % 2;
                Vu caller = Vu.login(ports[a], "caller" + i).join();
                Vu callee = Vu.login(ports[1 - a], "callee" + i).join();
                all.add(new Pair(caller, callee));
            }
            System.out.printf("%d pairs logged in (callers and callees on different instances)%n%n", pairs);
            // The JIT (and the heap's sizing) settle per load level: warm up at each rate measured,
            // lowest first, up to 800/s.
            int warmup = Integer.parseInt(opt.getOrDefault("warmup", "10"));
            System.out.printf("Warm-up: %d s of setups and pings at each rate up to 800/s, not reported%n", warmup);
            for (int rate : rates) {
                if (rate <= 800) {
                    step(all, rate, warmup, false);
                    step(all, rate, Math.max(1, warmup / 4), true);
                }
            }
            System.out.println("| target setups/s | achieved | errors | invite delivery p50 / p99 / p999 (ms) "
                    + "| reference: ping RTT p50 / p99 / p999 (ms) | p99 ratio |");
            System.out.println("|---|---|---|---|---|---|");
            for (int rate : rates) {
                Result calls = step(all, rate, seconds, false);
                Result pings = step(all, rate, seconds, true);
                System.out.printf("| %d | %.0f | %d | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.2f |%n", rate,
                        calls.achieved, calls.errors, calls.p(50), calls.p(99), calls.p(99.9),
                        pings.p(50), pings.p(99), pings.p(99.9), calls.p(99) / pings.p(99));
            }
            for (Pair p : all) {
                p.caller.close();
                p.callee.close();
            }

            if (idle > 0) {
                idleMemory(ports, pods, idle);
            }
            stopAll(started); // before Redis goes
        } finally {
            stopAll(started);
        }
    }

    static void stopAll(List<ServiceProcess> started) throws InterruptedException {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop(Duration.ofSeconds(10));
        }
    }

    /** Heap used after a full GC on each instance, before and after {@code n} idle logged-in users. */
    static void idleMemory(int[] ports, ServiceProcess[] pods, int n) throws Exception {
        long[] before = {heapAfterGc(pods[0], ports[0]), heapAfterGc(pods[1], ports[1])};
        List<Vu> users = new ArrayList<>();
        long t0 = System.nanoTime();
        List<CompletableFuture<Vu>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(Vu.login(ports[i % 2], "idle" + i));
            if (batch.size() == 100 || i == n - 1) {
                for (CompletableFuture<Vu> f : batch) {
                    users.add(f.get(60, TimeUnit.SECONDS));
                }
                batch.clear();
            }
        }
        double loginSeconds = (System.nanoTime() - t0) / 1e9;
        long[] after = {heapAfterGc(pods[0], ports[0]), heapAfterGc(pods[1], ports[1])};
        long delta = (after[0] - before[0]) + (after[1] - before[1]);
        System.out.printf("%nIdle connections: %d logged-in users over both instances (%.0f logins/s while connecting)%n",
                users.size(), users.size() / loginSeconds, users.size());
        for (int i = 0; i < 2; i++) {
            System.out.printf("  instance %d: heap after full GC %.1f MiB -> %.1f MiB%n", i + 1, before[i] / 1048576.0,
                    after[i] / 1048576.0);
        }
        System.out.printf("  heap per idle connection: %.1f KiB (target < 20 KiB)%n", delta / 1024.0 / users.size());
        for (Vu v : users) {
            v.close();
        }
    }

    static long heapAfterGc(ServiceProcess pod, int port) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pod.pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd GC.run failed: " + out);
        }
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    record Result(double achieved, int errors, long[] micros) {
        double p(double pct) {
            if (micros.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(pct / 100.0 * micros.length) - 1;
            return micros[Math.max(0, Math.min(micros.length - 1, i))] / 1000.0;
        }
    }

    /**
     * Open loop: one call setup (or one ping) starts every 1/rate s on a free pair, whatever the
     * previous ones are doing; latency counts from the intended start, so a stalled generator
     * cannot hide queueing. A start with no free pair, an error frame or a setup not finished
     * within 5 s is an error.
     */
    static Result step(List<Pair> pairs, int rate, int seconds, boolean ping) throws Exception {
        ConcurrentLinkedQueue<Pair> free = new ConcurrentLinkedQueue<>(pairs);
        Recorder rec = new Recorder(rate * seconds);
        for (Pair p : pairs) {
            p.reset(free, rec);
        }
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        int total = rate * seconds;
        int noPair = 0;
        for (int i = 0; i < total; i++) {
            long due = start + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Pair p = free.poll();
            if (p == null) {
                noPair++;
                continue;
            }
            if (ping) {
                p.ping(due);
            } else {
                p.call(due);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (free.size() < pairs.size() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // Achieved: completed setups over the time from the first start to the last completion.
        double elapsed = (Math.max(start + total * period, rec.lastDone.get()) - start) / 1e9;
        int stuck = pairs.size() - free.size();
        for (Pair p : pairs) {
            p.busy.set(false);
        }
        return new Result(rec.done.get() / elapsed, noPair + stuck + rec.errors.get(), rec.sorted());
    }

    static final class Recorder {
        final long[] micros;
        final AtomicInteger n = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong lastDone = new java.util.concurrent.atomic.AtomicLong();

        Recorder(int capacity) {
            micros = new long[capacity];
        }

        void latency(long nanos) {
            int i = n.getAndIncrement();
            if (i < micros.length) {
                micros[i] = nanos / 1000;
            }
        }

        long[] sorted() {
            long[] out = Arrays.copyOf(micros, Math.min(n.get(), micros.length));
            Arrays.sort(out);
            return out;
        }
    }

    /** A caller and its callee (on the other instance); one setup or ping at a time. */
    static final class Pair {
        final Vu caller;
        final Vu callee;
        final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        volatile ConcurrentLinkedQueue<Pair> free;
        volatile Recorder rec;
        volatile long started;
        volatile String callId;

        Pair(Vu caller, Vu callee) {
            this.caller = caller;
            this.callee = callee;
            caller.pair = this;
            callee.pair = this;
        }

        void reset(ConcurrentLinkedQueue<Pair> free, Recorder rec) {
            this.free = free;
            this.rec = rec;
        }

        void call(long due) {
            busy.set(true);
            callId = null;
            started = due;
            caller.send("{\"type\":\"invite\",\"callees\":[\"" + callee.userId + "\"],\"callType\":\"video\"}");
        }

        void ping(long due) {
            busy.set(true);
            started = due;
            caller.send("{\"type\":\"ping\"}");
        }

        void finished() {
            if (busy.compareAndSet(true, false)) {
                rec.done.incrementAndGet();
                rec.lastDone.accumulateAndGet(System.nanoTime(), Math::max);
                free.add(this);
            }
        }

        /** Counted, and both sides leave whatever call they are in, so the pair can be used again. */
        void failed(String frame) {
            if (busy.compareAndSet(true, false)) {
                rec.errors.incrementAndGet();
                System.err.println("failed setup: " + frame);
                if (callId != null) {
                    caller.send("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
                    callee.send("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
                }
                free.add(this);
            }
        }

        /** Frames arrive on the sockets' threads. */
        void onFrame(Vu at, String type, String frame) {
            if (!busy.get()) {
                return; // a late frame of a step already counted
            }
            switch (type) {
                case "pong" -> {
                    rec.latency(System.nanoTime() - started);
                    finished();
                }
                case "invited" -> {
                    rec.latency(System.nanoTime() - started);
                    callId = field(frame, "callId");
                    callee.send("{\"type\":\"accept\",\"callId\":\"" + callId + "\"}");
                }
                case "accepted" -> caller.send("{\"type\":\"hangup\",\"callId\":\"" + callId + "\"}");
                case "ended" -> {
                    if (at == callee) {
                        finished();
                    } else {
                        failed(frame); // the caller only hears "ended" when the setup failed
                    }
                }
                case "busy", "error" -> failed(frame);
                default -> { }
            }
        }
    }

    /** One virtual user: a real WebSocket, logged in. */
    static final class Vu implements WebSocket.Listener {
        final String userId;
        final CompletableFuture<Vu> loggedIn = new CompletableFuture<>();
        volatile Pair pair;
        WebSocket ws;
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);

        Vu(String userId) {
            this.userId = userId;
        }

        static final HttpClient WS_CLIENT = HttpClient.newHttpClient();

        static CompletableFuture<Vu> login(int port, String userId) {
            Vu v = new Vu(userId);
            return WS_CLIENT.newWebSocketBuilder().header("Origin", "http://localhost:8080")
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/signaling"), v)
                    .thenCompose(ws -> {
                        v.ws = ws;
                        v.send("{\"type\":\"login\",\"sdkAppId\":" + APP + ",\"userId\":\"" + userId + "\",\"userSig\":\""
                                + userSig(userId) + "\"}");
                        return v.loggedIn;
                    });
        }

        /** The JDK WebSocket takes one send at a time: chain them. */
        synchronized void send(String text) {
            sending = sending.thenCompose(w -> ws.sendText(text, true));
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                String type = field(frame, "type");
                if ("login-ok".equals(type)) {
                    loggedIn.complete(this);
                } else if (pair != null) {
                    pair.onFrame(this, type, frame);
                } else if ("error".equals(type)) {
                    loggedIn.completeExceptionally(new IllegalStateException(frame));
                }
            }
            w.request(1);
            return null;
        }

        void close() {
            if (ws != null) {
                ws.abort();
            }
        }
    }

    /** A string field of a flat JSON frame as the service writes it ({"name":"value"...}). */
    static String field(String frame, String name) {
        String key = "\"" + name + "\":\"";
        int i = frame.indexOf(key);
        if (i < 0) {
            return "";
        }
        int from = i + key.length();
        return frame.substring(from, frame.indexOf('"', from));
    }

    static String userSig(String user) {
        var key = Applications.parse(Map.of("bench", APP + ":" + SECRET)).find(APP);
        return UserSigCodec.issue(key, user, 86400, System.currentTimeMillis() / 1000, null);
    }

    static ServiceProcess start(ServiceSpec spec, Path logs) throws Exception {
        ServiceProcess p = new ServiceProcess(spec, logs);
        p.start(ProcessHandle.current().info().command().orElse("java"));
        if (!p.awaitReady(Duration.ofSeconds(90))) {
            throw new IllegalStateException(spec.name() + " did not start:\n" + p.tail(40));
        }
        return p;
    }

    static Path jar(String module) {
        return Path.of(module, "target/quarkus-app/quarkus-run.jar");
    }
}
