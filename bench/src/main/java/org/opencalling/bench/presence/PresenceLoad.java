package org.opencalling.bench.presence;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.opencalling.testsupport.FreePorts;
import org.opencalling.testsupport.RedisServerProcess;
import org.opencalling.testsupport.Resp;

/**
 * Load on a real presence-service (the packaged app) over a real redis-server: logins per
 * second through the API, and the cost of one refresh round for 10,000 and 100,000 sessions,
 * each next to a reference measured in the same run (a trivial HTTP request on the same
 * service; the same number of plain pipelined ZADDs on the same Redis).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.opencalling.bench.presence.PresenceLoad [seconds] [threads]</pre>
 */
public final class PresenceLoad {
    private static final String ISSUER = "opencalling-usersig";

    private PresenceLoad() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path jar = Path.of("presence-service/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("run from the repository root after ./mvnw package: " + jar);
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        Path pem = Files.createTempFile("bench-key", ".pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        String token = jwt(keys);

        int port = FreePorts.next();
        Path log = Files.createTempFile("presence-bench", ".log");
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort(); Resp resp = new Resp(redis.port())) {
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            pb.environment().put("REDIS_URL", redis.url());
            pb.environment().put("JWKS_URL", pem.toUri().toString());
            pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "");
            Process service = pb.start();
            try {
                String base = "http://127.0.0.1:" + port;
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                awaitReady(http, base, service, log);
                System.out.printf("Machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.arch"), System.getProperty("java.version"));

                HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/q/health/live")).build();
                boolean wrk = Files.isExecutable(Path.of("/usr/bin/wrk"));
                String generator = wrk ? "wrk (2 threads, 32 connections)" : "Java HttpClient (" + threads + " threads)";
                System.out.println("Load generator: " + generator + ", on the same machine");
                run(http, threads, 3, i -> health, 200); // warm-up
                double healthRate = wrk ? wrk(base + "/q/health/live", null, token, seconds)
                        : run(http, threads, seconds, i -> health, 200);

                AtomicLong seq = new AtomicLong();
                java.util.function.IntFunction<HttpRequest> login = t -> HttpRequest.newBuilder(URI.create(base + "/v1/sessions"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"sdkAppId\":1400000001,\"userId\":\"u"
                                + seq.incrementAndGet() + "\",\"pod\":\"bench-" + (t % 4) + "\"}")).build();
                run(http, threads, 3, login, 201);
                resp.call("CONFIG", "RESETSTAT");
                double loginRate = wrk ? wrk(base + "/v1/sessions", "/wrk-login.lua", token, seconds)
                        : run(http, threads, seconds, login, 201);
                long[] ev = resp.commandStats("evalsha");
                System.out.printf("logins:   %,.0f/s through the API (reference: %,.0f/s GET /q/health/live "
                        + "on the same service -> %.2f of it); Redis %.1f us per login (target >= 5,000/s)%n",
                        loginRate, healthRate, loginRate / healthRate, ev[0] == 0 ? 0 : (double) ev[1] / ev[0]);

                for (int n : new int[] {10_000, 100_000}) {
                    refreshRound(http, base, token, resp, n);
                }
            } finally {
                service.destroy();
                service.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void refreshRound(HttpClient http, String base, String token, Resp resp, int n) throws Exception {
        StringBuilder body = new StringBuilder(n * 64).append("{\"pod\":\"refresh-").append(n).append("\",\"sessions\":[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append("{\"sdkAppId\":1400000001,\"userId\":\"r").append(n).append('_')
                    .append(i).append("\",\"sessionId\":\"s").append(i).append("\"}");
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/sessions/refresh"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build();
        send(http, req, 200); // first round restores (creates) them all
        send(http, req, 200); // warm
        resp.call("CONFIG", "RESETSTAT");
        double[] before = resp.totals();
        long t0 = System.nanoTime();
        int rounds = 3;
        for (int r = 0; r < rounds; r++) {
            send(http, req, 200);
        }
        double wallMs = (System.nanoTime() - t0) / 1e6 / rounds;
        double[] after = resp.totals();
        long[] ev = resp.commandStats("evalsha");

        // Reference: the least Redis could do, the same n deadlines as plain pipelined ZADDs.
        resp.call("CONFIG", "RESETSTAT");
        List<String[]> zadds = new ArrayList<>();
        for (int from = 0; from < n; from += 500) {
            List<String> c = new ArrayList<>(List.of("ZADD", "bench:ref"));
            for (int i = from; i < Math.min(n, from + 500); i++) {
                c.add(Long.toString(System.currentTimeMillis()));
                c.add("1400000001:r" + n + "_" + i + ":s" + i);
            }
            zadds.add(c.toArray(String[]::new));
        }
        resp.pipeline(zadds);
        resp.call("CONFIG", "RESETSTAT");
        resp.pipeline(zadds);
        long[] zadd = resp.commandStats("zadd");
        System.out.printf("refresh %,7d sessions: %.0f ms per round through the API; Redis %.1f ms of script time "
                        + "(%d calls, %.0f commands, %.0f ms Redis CPU) per round (target < 1,000 ms); "
                        + "reference plain ZADDs %.1f ms -> %.1fx%n",
                n, wallMs, ev[1] / 1000.0 / rounds, ev[0] / rounds, (after[0] - before[0]) / rounds,
                (after[1] - before[1]) * 1000 / rounds, zadd[1] / 1000.0, (double) ev[1] / rounds / Math.max(1, zadd[1]));
    }

    private static double run(HttpClient http, int threads, int seconds,
                              java.util.function.IntFunction<HttpRequest> request, int expect) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong ok = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            fs.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    send(http, request.apply(id), expect);
                    ok.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return ok.get() / (double) seconds;
    }

    /** Requests per second measured by wrk; refuses a run with any non-2xx answer. */
    private static double wrk(String url, String luaResource, String token, int seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/wrk", "-t2", "-c32", "-d" + seconds + "s"));
        if (luaResource != null) {
            Path lua = Files.createTempFile("wrk", ".lua");
            try (var in = PresenceLoad.class.getResourceAsStream(luaResource)) {
                Files.write(lua, in.readAllBytes());
            }
            cmd.addAll(List.of("-s", lua.toString()));
        }
        cmd.add(url);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("BENCH_TOKEN", token);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        if (out.contains("Non-2xx or 3xx responses")) {
            throw new IllegalStateException("errors during the run:\n" + out);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no result from wrk:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void send(HttpClient http, HttpRequest req, int expect) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expect) {
            throw new IllegalStateException(req.uri() + " -> " + r.statusCode() + " " + r.body());
        }
    }

    private static void awaitReady(HttpClient http, String base, Process service, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException("presence-service exited:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("presence-service not ready:\n" + Files.readString(log));
    }

    /** An RS256 token as usersig-service would issue it (signed here with the bench's own key). */
    private static String jwt(KeyPair keys) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"sub\":\"bench\",\"upn\":\"bench\","
                + "\"groups\":[\"presence:write\",\"presence:read\"],\"iat\":" + now + ",\"exp\":" + (now + 7200) + "}")
                .getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(keys.getPrivate());
        s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + b64.encodeToString(s.sign());
    }
}
